/**
 * Client-certificate authentication as plain Java: the policy and its parts (locations, subject rules, proxies,
 * certificate checks, CRLs), identity and principal, revocation for open sessions, the audit log. The servlet filter
 * that applies it is in dev.keyhole.web.
 */
package dev.keyhole.auth;
