import { normaliseLanguage } from './code-language';

describe('normaliseLanguage', () => {
  it.each([
    ['py', 'python'],
    ['Python', 'python'],
    ['ts', 'typescript'],
    ['js', 'javascript'],
    ['golang', 'go'],
    ['C++', 'cpp'],
    ['cpp', 'cpp'],
    ['C#', 'csharp'],
    ['cs', 'csharp'],
    ['sh', 'bash'],
    ['shell', 'bash'],
    ['bash', 'bash'],
    ['rb', 'ruby'],
    ['kt', 'kotlin'],
    ['rs', 'rust'],
    ['yml', 'yaml'],
    ['Visual Basic', 'visualbasic'],
    ['', 'python'],
    [undefined, 'python'],
  ])('%s → %s', (given, expected) => {
    expect(normaliseLanguage(given)).toBe(expected);
  });
});
