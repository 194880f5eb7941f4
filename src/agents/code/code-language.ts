const ALIASES: Readonly<Record<string, string>> = {
  py: 'python',
  python3: 'python',
  ts: 'typescript',
  tsx: 'typescript',
  js: 'javascript',
  jsx: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  golang: 'go',
  'c++': 'cpp',
  cxx: 'cpp',
  cc: 'cpp',
  'c#': 'csharp',
  cs: 'csharp',
  'f#': 'fsharp',
  sh: 'bash',
  shell: 'bash',
  zsh: 'bash',
  rb: 'ruby',
  kt: 'kotlin',
  kts: 'kotlin',
  rs: 'rust',
  yml: 'yaml',
  md: 'markdown',
  ps1: 'powershell',
  pwsh: 'powershell',
  'objective-c': 'objectivec',
  objc: 'objectivec',
  postgresql: 'sql',
  postgres: 'sql',
  mysql: 'sql',
  psql: 'sql',
  dockerfile: 'dockerfile',
  docker: 'dockerfile',
  hs: 'haskell',
  ex: 'elixir',
  exs: 'elixir',
  pl: 'perl',
  'vb.net': 'vbnet',
  vb: 'vbnet',
};

export const DEFAULT_CODE_LANGUAGE = 'python';

/** One name per language (`py` → `python`, `c++` → `cpp`), as highlighters and filters expect. */
export function normaliseLanguage(language: string | undefined | null): string {
  const key = (language ?? '').trim().toLowerCase().replace(/\s+/g, '');
  if (!key) return DEFAULT_CODE_LANGUAGE;
  return ALIASES[key] ?? key;
}
