import { TavilyTestServer } from '../search-server/tavily-test-server';
import { installDemoScript } from './demo-script';
import { OpenAiTestServer } from './openai-test-server';

/** The paid APIs, served by the wire-level test servers with the demo script installed. */
export interface LlmServers {
  llm: OpenAiTestServer;
  search: TavilyTestServer;
  /** What points an app at them. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface LlmServersOptions {
  /** Added to every call of both servers. */
  latencyMs?: number;
  /** The keys both servers demand, as the real APIs do, and that `env` hands the app. */
  openAiKey?: string;
  tavilyKey?: string;
}

export async function startLlmServers(options: LlmServersOptions = {}): Promise<LlmServers> {
  const openAiKey = options.openAiKey ?? 'test-openai-key';
  const tavilyKey = options.tavilyKey ?? 'tvly-test-key';
  const latencyMs = options.latencyMs ?? 0;
  const llm = await OpenAiTestServer.start({ latencyMs, requireKey: openAiKey });
  const search = await TavilyTestServer.start({ latencyMs, requireKey: tavilyKey }).catch(
    async (err: unknown) => {
      await llm.close();
      throw err;
    },
  );
  installDemoScript(llm, search);
  return {
    llm,
    search,
    env: {
      OPENAI_BASE_URL: llm.url,
      OPENAI_API_KEY: openAiKey,
      TAVILY_BASE_URL: search.url,
      TAVILY_API_KEY: tavilyKey,
    },
    close: async () => {
      await llm.close();
      await search.close();
    },
  };
}
