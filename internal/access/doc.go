// Package access holds who may do what on the service, apart from HTTP:
// bearer tokens and their reloadable file (TokenSet), the scope a token
// grants over rows by département (Scope), per-client request rates
// (ClientLimiters) and the bounds on expensive work running at once
// (WorkBounds). Package api wires them into its middleware and maps their
// errors (ErrOutsideScope, ErrBusy) to status codes.
package access
