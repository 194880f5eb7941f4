import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { preProcessFile } from 'typescript';

/**
 * The import graph of a source tree, type-only imports included (a type import is an import):
 * files and the relative imports between them, read with the TypeScript compiler's own parser.
 */
export class ImportGraph {
  /** file (relative to the root) → the files it imports */
  readonly files = new Map<string, Set<string>>();

  constructor(readonly root: string) {
    for (const file of sourceFiles(root)) {
      const imports = new Set<string>();
      const { importedFiles } = preProcessFile(readFileSync(file, 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const target = resolveModule(resolve(dirname(file), fileName));
        if (target && target.startsWith(root)) imports.add(relative(root, target));
      }
      this.files.set(relative(root, file), imports);
    }
  }

  /** The folder a file belongs to: its first path segment, or `(root)` for top-level files. */
  static folderOf(file: string): string {
    const slash = file.indexOf('/');
    return slash < 0 ? '(root)' : file.slice(0, slash);
  }

  /** folder → the other folders its files import. */
  folders(): Map<string, Set<string>> {
    const folders = new Map<string, Set<string>>();
    for (const [file, imports] of this.files) {
      const from = ImportGraph.folderOf(file);
      const targets = folders.get(from) ?? new Set<string>();
      for (const target of imports) {
        const to = ImportGraph.folderOf(target);
        if (to !== from) targets.add(to);
      }
      folders.set(from, targets);
    }
    return folders;
  }
}

/** The strongly connected components of more than one node (each one is a cycle), sorted. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

function resolveModule(base: string): string | undefined {
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}
