import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SCHEME } from '../auth/api-key-scheme';

/** The OpenAPI document, generated from the controllers' decorators. */
export function buildOpenApiDocument(
  app: INestApplication,
  info: { title: string; version: string },
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(
      'Submit free-form tasks; an LLM Peer Agent routes each to a specialised agent that runs on a queue worker. ' +
        'Authorize with your API key (X-API-Key) to try the endpoints.',
    )
    .setVersion(info.version)
    .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, API_KEY_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the JSON document at /docs-json. */
export function mountSwagger(
  app: INestApplication,
  info: { title: string; version: string },
): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, info), {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: `${info.title} API`,
    swaggerOptions: { persistAuthorization: true },
  });
}
