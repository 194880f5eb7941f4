// Nest CLI's webpack builder bundles src/ and libs/ into dist/main.js; node_modules stay external.
module.exports = (options) => ({
  ...options,
  devtool: 'source-map',
  output: { ...options.output, devtoolModuleFilenameTemplate: '[absolute-resource-path]' },
});
