import Foundation

extension ChannelHTTP {
    /// The error for a 3xx answered to a request (a write: reads are followed by the transport), or nil
    /// for any other status. Permanent: the channel moved, and only the configuration can follow it. A
    /// move to another origin names the new `base_url`. The `Location` is named without its query or
    /// fragment, which may echo credentials.
    public static func redirectRefusal(_ response: ChannelResponse, request: ChannelRequest, operation: String) -> ChannelError? {
        guard (300..<400).contains(response.status), response.status != 304 else { return nil }
        let header = response.header("location")?.trimmingWhitespace() ?? ""
        guard !header.isEmpty, let target = URL(string: header, relativeTo: request.url)?.absoluteURL,
              var shown = URLComponents(url: target, resolvingAgainstBaseURL: true) else {
            return ChannelError(.permanent, operation: operation, httpStatus: response.status,
                                message: "redirect without a Location; a \(request.method) is never re-sent to a redirect")
        }
        shown.query = nil
        shown.fragment = nil
        shown.user = nil
        shown.password = nil
        let location = shown.string ?? "?"
        guard origin(of: target) != origin(of: request.url) else {
            return ChannelError(.permanent, operation: operation, httpStatus: response.status,
                                message: "redirected to \(location); a \(request.method) is never re-sent to a redirect")
        }
        return ChannelError(.permanent, operation: operation, httpStatus: response.status,
                            message: "redirected to another site, \(location); a \(request.method) is never re-sent to a redirect: set base_url to \(newBase(location: shown, request: request.url))")
    }

    /// `scheme://host:port`, lower-cased, with the scheme's default port made explicit.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : 0)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }

    /// The redirect's origin plus the part of its path that precedes what it shares with the request's
    /// path: `https://shop.com/wp-json/x` → `https://www.shop.com/wp-json/x` gives `https://www.shop.com`.
    static func newBase(location: URLComponents, request: URL) -> String {
        var kept = location.path.split(separator: "/", omittingEmptySubsequences: true)
        var asked = request.path.split(separator: "/", omittingEmptySubsequences: true)
        while let last = kept.last, last == asked.last {
            kept.removeLast()
            asked.removeLast()
        }
        var base = location
        base.path = kept.isEmpty ? "" : "/" + kept.joined(separator: "/")
        return base.string ?? "?"
    }
}
