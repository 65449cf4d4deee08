// Settings of the connect page. As served by the local runner: the API is this origin, and the
// runner hands out a dev token. Deployed as a static page elsewhere, set:
//   apiBaseUrl    the HTTP API's URL, e.g. "https://abc123.execute-api.eu-west-1.amazonaws.com"
//                 (the page's own origin must be in the API's ReturnToAllowlist: the popup reports to it)
//   token         the signed-in user's JWT, or getToken: an async function returning it
//   tokenUrl      (local only) where the runner hands out dev tokens, relative to apiBaseUrl
//   providersUrl  the provider list, relative to the page: the runner's GET /local/providers, or that
//                 answer saved next to the page as providers.json
window.CONNECTORS_CONFIG = {
  apiBaseUrl: "",
  tokenUrl: "/local/dev-token",
  providersUrl: "/local/providers"
};
