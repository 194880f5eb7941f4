// Nest CLI's webpack builder bundles src/ and libs/ into dist/main.js; node_modules stay external.
// `import('./x.js')` (how TypeScript's nodenext spells a dynamic import) resolves to ./x.ts.
module.exports = (options) => ({
  ...options,
  resolve: { ...options.resolve, extensionAlias: { '.js': ['.ts', '.js'] } },
  devtool: 'source-map',
  output: { ...options.output, devtoolModuleFilenameTemplate: '[absolute-resource-path]' },
});
