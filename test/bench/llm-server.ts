/**
 * The OpenAI-compatible test server with the demo script, in its own process so its event loop
 * (and its timers: the simulated model latency) is not shared with the load generators. The
 * parent talks to it over IPC: `{ type: 'configure', latencyMs, chunkDelayMs }` answers
 * `{ type: 'configured', requests }` after forgetting the requests recorded so far.
 */
import { installDemoScript } from '../../libs/testing/src/llm-server/demo-script';
import { OpenAiTestServer } from '../../libs/testing/src/llm-server/openai-test-server';
import { TavilyTestServer } from '../../libs/testing/src/search-server/tavily-test-server';

export interface LlmConfigureMessage {
  type: 'configure';
  latencyMs: number;
  chunkDelayMs: number;
}

async function main(): Promise<void> {
  const llm = await OpenAiTestServer.start();
  const search = await TavilyTestServer.start();
  let served = 0;
  const configure = (msg: LlmConfigureMessage): void => {
    served += llm.requests.length;
    // reset() drops the recorded requests (which would otherwise pile up) and the script.
    llm.reset();
    installDemoScript(llm, search, { chunkDelayMs: msg.chunkDelayMs });
    llm.latencyMs = msg.latencyMs;
  };
  configure({ type: 'configure', latencyMs: 0, chunkDelayMs: 0 });
  process.on('message', (msg: LlmConfigureMessage) => {
    if (msg.type !== 'configure') return;
    configure(msg);
    process.send?.({ type: 'configured', requests: served });
  });
  process.on('disconnect', () => {
    void Promise.all([llm.close(), search.close()]).finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready', url: llm.url });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
