const ACCESS_TOKEN_PARAM = /((?:^|[?&])access_token=)[^&#]*/gi;

/**
 * A URL or query string with the value of any `access_token` parameter replaced. The service rejects tokens in
 * URLs, but the request that carried one is still logged and traced.
 */
export function redactAccessTokens(url: string): string {
  return url.replace(ACCESS_TOKEN_PARAM, '$1[redacted]');
}
