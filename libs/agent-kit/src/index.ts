export * from './agent-context';
export * from './agent-handler';
export * from './agent-meta';
export * from './agent-output';
export * from './agent.decorator';
export * from './citation';
