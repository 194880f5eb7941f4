/** The OpenAPI security scheme of the X-API-Key header; controllers name it in @ApiSecurity. */
export const API_KEY_SCHEME = 'api-key';
