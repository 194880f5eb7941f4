/** Which configured model a call uses: LLM_PEER_MODEL, LLM_CONTENT_MODEL or LLM_CODE_MODEL. */
export type LlmRole = 'peer' | 'content' | 'code';
