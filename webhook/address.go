package webhook

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/tradecoach/coach"
)

// Address classes a Client refuses to dial.
var (
	metadataV4 = netip.MustParseAddr("169.254.169.254")
	metadataV6 = netip.MustParseAddr("fd00:ec2::254")
	// blocked are ranges with no public receiver, beyond what netip's predicates name.
	blocked = []struct {
		p     netip.Prefix
		class string
	}{
		{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
		{netip.MustParsePrefix("100.64.0.0/10"), "cgnat"},
		{netip.MustParsePrefix("192.0.0.0/24"), "reserved"},
		{netip.MustParsePrefix("192.0.2.0/24"), "reserved"},
		{netip.MustParsePrefix("198.18.0.0/15"), "reserved"},
		{netip.MustParsePrefix("198.51.100.0/24"), "reserved"},
		{netip.MustParsePrefix("203.0.113.0/24"), "reserved"},
		{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
		{netip.MustParsePrefix("64:ff9b::/96"), "nat64"},
		{netip.MustParsePrefix("64:ff9b:1::/48"), "nat64"},
		{netip.MustParsePrefix("2001:db8::/32"), "reserved"},
		{netip.MustParsePrefix("2002::/16"), "6to4"},
		{netip.MustParsePrefix("100::/64"), "reserved"},
	}
)

// Class names the kind of a non-public address ("metadata", "loopback", "private",
// "link-local", "cgnat", "multicast", "unspecified", "reserved", "nat64", "6to4"), or "" for an
// address a Client may dial. An IPv4 address written in IPv6 (::ffff:a.b.c.d) is classed as
// the IPv4 address.
func Class(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "unspecified"
	case ip == metadataV4 || ip == metadataV6:
		return "metadata"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip.IsPrivate():
		return "private"
	case ip.Is4() && ip.As4()[3] == 255 && ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "reserved"
	}
	for _, b := range blocked {
		if b.p.Contains(ip) {
			return b.class
		}
	}
	return ""
}

// allowed returns nil for an address the client may dial, or EFORBIDDEN naming its class.
// Loopback addresses are allowed in the test mode only; nothing else non-public ever is.
func allowed(ip netip.Addr, allowLoopback bool) error {
	c := Class(ip)
	if c == "" || (c == "loopback" && allowLoopback) {
		return nil
	}
	return coach.Errorf(coach.EFORBIDDEN, "webhook: refused to dial a %s address", c)
}

// CheckURL reports whether raw is a URL deliveries may go to: https (or http in the test mode),
// a host, no user info or fragment, and, when the host is an IP address, one allowed. A host
// name is checked when it is dialled, on every attempt. EINVALID for a malformed URL or another
// scheme, EFORBIDDEN for a refused address.
func CheckURL(raw string, allowLoopback bool) (*url.URL, error) {
	if raw == "" || len(raw) > coach.MaxWebhookURLBytes {
		return nil, coach.Errorf(coach.EINVALID, "webhook: url: required, at most %d bytes", coach.MaxWebhookURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, coach.Errorf(coach.EINVALID, "webhook: url: want an absolute https URL")
	}
	switch {
	case u.Scheme == "https", u.Scheme == "http" && allowLoopback:
	default:
		return nil, coach.Errorf(coach.EINVALID, "webhook: url: want https")
	}
	if u.User != nil || u.Fragment != "" {
		return nil, coach.Errorf(coach.EINVALID, "webhook: url: no user info or fragment")
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if host == "" {
		return nil, coach.Errorf(coach.EINVALID, "webhook: url: want a host")
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := allowed(ip, allowLoopback); err != nil {
			return nil, err
		}
	} else if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		if err := allowed(netip.MustParseAddr("127.0.0.1"), allowLoopback); err != nil {
			return nil, err
		}
	}
	return u, nil
}
