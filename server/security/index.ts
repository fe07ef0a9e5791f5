/** Request authentication: bearer tokens compared in constant time. */

export { type BearerAuthOptions, bearerTokenOf, PUBLIC_ROUTES, registerBearerAuth } from "./bearer-auth";
export { answerClientError, answerConnect, answerFrameworkError } from "./client-error";
export { AuthTokenError, type AuthTokenSources, loadAuthToken, MIN_TOKEN_LENGTH, tokensEqual } from "./token";
