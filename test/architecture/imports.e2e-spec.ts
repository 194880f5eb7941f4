import { resolve } from 'node:path';
import { cycles, ImportGraph } from './import-graph';

/**
 * Folders import downwards only: no folder of src/ imports a folder that imports it back, and no
 * file is in an import cycle. Type-only imports count. Where a folder needs a provider from a
 * folder above it, it declares an abstract class and takes the provider's module as a
 * `register(...)` argument from the composition root (ApiModule, WorkerModule).
 */
describe('the import graph of src/', () => {
  const graph = new ImportGraph(resolve(__dirname, '../../src'));

  it('has no file in an import cycle', () => {
    expect(cycles(graph.files)).toEqual([]);
  });

  it('has no folder that imports a folder importing it back', () => {
    const folders = graph.folders();
    const found = cycles(folders);
    // On failure, show each edge inside a cycle and one file import that makes it.
    const edges = found.flatMap((members) =>
      members.flatMap((from) =>
        [...(folders.get(from) ?? [])]
          .filter((to) => members.includes(to))
          .map((to) => {
            const [file, target] =
              [...graph.files].flatMap(([f, imports]) =>
                ImportGraph.folderOf(f) === from
                  ? [...imports].filter((t) => ImportGraph.folderOf(t) === to).map((t) => [f, t])
                  : [],
              )[0] ?? [];
            return `${from} -> ${to} (${file} imports ${target})`;
          }),
      ),
    );
    expect(edges).toEqual([]);
  });

  it('sees the imports it checks (tasks imports events, never the reverse)', () => {
    const folders = graph.folders();
    expect(folders.get('tasks')).toContain('events');
    expect(folders.get('events')).not.toContain('tasks');
  });
});
