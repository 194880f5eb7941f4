export default async function globalTeardown(): Promise<void> {
  const owned = globalThis.__aoOwnedServices ?? [];
  await Promise.all(owned.map((s) => s.stop()));
}
