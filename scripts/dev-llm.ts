/**
 * Runs the OpenAI- and Tavily-compatible test servers with the demo script, so the product can
 * be tried end to end without paid keys: `npm run dev:llm`, then start the app with the
 * variables this prints. Ports: --llm-port / --search-port, else DEV_LLM_PORT / DEV_SEARCH_PORT,
 * else 4010 / 4011. --latency-ms (DEV_LLM_LATENCY_MS) adds a delay to every call.
 */
import { installDemoScript } from '../libs/testing/src/llm-server/demo-script';
import { OpenAiTestServer } from '../libs/testing/src/llm-server/openai-test-server';
import type { RecordedRequest } from '../libs/testing/src/llm-server/recorded-request';
import { TavilyTestServer } from '../libs/testing/src/search-server/tavily-test-server';

function setting(flag: string, envName: string, fallback: number): number {
  const prefix = `--${flag}=`;
  const fromArgv = process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
  const raw = fromArgv ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`--${flag} / ${envName} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function logLine(server: string): (request: RecordedRequest) => void {
  return (request) => {
    const ms = (request.finishedAt ?? Date.now()) - request.receivedAt;
    const outcome = request.aborted ? 'aborted' : String(request.status ?? '-');
    const source = request.replySource ? ` ${request.replySource}` : '';
    console.log(`[${server}] ${request.method} ${request.path} -> ${outcome}${source} (${ms} ms)`);
  };
}

async function main(): Promise<void> {
  const latencyMs = setting('latency-ms', 'DEV_LLM_LATENCY_MS', 0);
  const llm = await OpenAiTestServer.start({
    port: setting('llm-port', 'DEV_LLM_PORT', 4010),
    latencyMs,
    onRequestDone: logLine('llm'),
  });
  const search = await TavilyTestServer.start({
    port: setting('search-port', 'DEV_SEARCH_PORT', 4011),
    latencyMs,
    onRequestDone: logLine('search'),
  });
  installDemoScript(llm, search, { chunkDelayMs: 25 });

  console.log('Scripted OpenAI and Tavily servers are up. Start the app with:');
  console.log(`OPENAI_BASE_URL=${llm.url}`);
  console.log('OPENAI_API_KEY=dev-llm');
  console.log(`TAVILY_BASE_URL=${search.url}`);
  console.log('TAVILY_API_KEY=dev');
  console.log('Ctrl-C stops them.');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    void Promise.all([llm.close(), search.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
