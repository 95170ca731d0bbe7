// The one module every bundle loads lazily: Powertools Tracer and the X-Ray SDK behind it, built
// into `tracer.mjs` beside the entry. @kse/lambda imports '@aws-lambda-powertools/tracer' with
// `import()` only where tracing is on; the bundle script points that import at this file.
export { Tracer } from '@aws-lambda-powertools/tracer';
