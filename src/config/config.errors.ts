/** Raised before anything listens when the environment does not satisfy the schema. */
export class ConfigValidationError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigValidationError';
  }
}
