import { parseRoutingReply } from './routing-reply';

describe('parseRoutingReply', () => {
  const valid = { agent_name: 'CodeAgent', agent_type: 'code', confidence: 0.8, reasoning: 'code' };

  it('accepts the JSON bare, fenced, or inside a sentence', () => {
    for (const text of [
      JSON.stringify(valid),
      '```json\n' + JSON.stringify(valid) + '\n```',
      'Decision: ' + JSON.stringify(valid) + ' Done.',
    ]) {
      expect(parseRoutingReply(text)).toEqual({ ok: true, reply: valid });
    }
  });

  it('accepts a confidence sent as a numeric string', () => {
    expect(parseRoutingReply(JSON.stringify({ ...valid, confidence: '0.7' }))).toMatchObject({
      ok: true,
      reply: { confidence: 0.7 },
    });
  });

  it.each([
    ['not JSON', 'CodeAgent, I think'],
    ['confidence out of range', JSON.stringify({ ...valid, confidence: 1.5 })],
    ['confidence not a number', JSON.stringify({ ...valid, confidence: 'high' })],
    ['no agent name', JSON.stringify({ ...valid, agent_name: '' })],
    ['a bare number', '0.9'],
  ])('rejects %s with a reason', (_case, text) => {
    const parsed = parseRoutingReply(text);

    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).not.toBe('');
  });
});
