import { randomUUID } from 'node:crypto';
import {
  assertOneSlot,
  clusterSlot,
  hashTag,
  queueHashTag,
  TASK_EVENT_GROUPS,
  taskEventGroup,
} from './redis-keys';

describe('hashTag (as Redis Cluster reads a key)', () => {
  it('is the text between the first { and the next }', () => {
    expect(hashTag('task_events:{g3}:abc')).toBe('g3');
    expect(hashTag('{ao:bull}:agent_tasks:1')).toBe('ao:bull');
    expect(hashTag('a{b}c{d}')).toBe('b');
    expect(hashTag('a{b{c}d')).toBe('b{c');
  });

  it('is absent without braces, with an empty {} or with no closing brace', () => {
    expect(hashTag('task_events:abc')).toBeUndefined();
    expect(hashTag('a{}b{c}')).toBeUndefined();
    expect(hashTag('a{bc')).toBeUndefined();
  });
});

describe('queueHashTag', () => {
  it('puts the whole BullMQ prefix, the global key prefix included, in one tag', () => {
    expect(queueHashTag('')).toBe('{bull}');
    expect(queueHashTag('ao:')).toBe('{ao:bull}');
    expect(hashTag(`${queueHashTag('ao:')}:agent_tasks:wait`)).toBe('ao:bull');
  });
});

describe('taskEventGroup', () => {
  it('gives a task the same group every time, from its id alone', () => {
    const id = randomUUID();
    expect(taskEventGroup(id)).toBe(taskEventGroup(id));
  });

  it('spreads task ids over every group', () => {
    const counts = new Array<number>(TASK_EVENT_GROUPS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[taskEventGroup(randomUUID())] += 1;
    // 1,000 expected per group; a hash that skipped or favoured groups would be far off.
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});

describe('assertOneSlot', () => {
  it('accepts keys that share a hash tag, and a single key of any shape', () => {
    expect(() => assertOneSlot(['a:{g1}:x', 'b:{g1}:x', '{g1}'])).not.toThrow();
    expect(() => assertOneSlot(['no-tag'])).not.toThrow();
    expect(() => assertOneSlot([])).not.toThrow();
  });

  it('refuses keys of different tags, or several keys without one', () => {
    expect(() => assertOneSlot(['a:{g1}:x', 'a:{g2}:x'])).toThrow(/share a hash tag/);
    expect(() => assertOneSlot(['a:x', 'b:x'])).toThrow(/share a hash tag/);
    expect(() => assertOneSlot(['a:{g1}:x', 'b:x'])).toThrow(/share a hash tag/);
  });
});

describe('clusterSlot', () => {
  it('agrees with CLUSTER KEYSLOT of Redis 7 (values asked of a real node)', () => {
    const asked: Record<string, number> = {
      foo: 12182,
      bar: 5061,
      hello: 866,
      'task_events:{g0}:x': 9454,
      'task_events:{g15}:abc': 3753,
      '{ao_test:bull}:agent_tasks:wait': 9911,
      'a{}b': 13694,
      '{}': 15257,
      ü: 9552,
    };
    for (const [key, slot] of Object.entries(asked))
      expect({ key, slot: clusterSlot(key) }).toEqual({ key, slot });
  });
});
