import Foundation

/// `application/x-www-form-urlencoded`-safe escaping for query components.
public enum FormEncoding {
    static let allowed: CharacterSet = {
        // ASCII only: CharacterSet.alphanumerics would let "é" through unencoded.
        CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    }()

    public static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
