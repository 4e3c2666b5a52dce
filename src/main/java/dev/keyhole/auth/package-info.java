/** Client-certificate authentication: the filter, the policy and its parts, identity, live sessions, /whoami. */
package dev.keyhole.auth;
