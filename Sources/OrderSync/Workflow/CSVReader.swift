import Foundation

/// One CSV record with the physical line it starts on (1-based), for `FILE:LINE: reason` messages.
public struct CSVRecord: Sendable, Equatable {
    public var line: Int
    public var fields: [String]
}

/// Why a CSV file cannot be read at all (as opposed to a bad row).
public struct CSVError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// An RFC 4180 reader: quoted fields with `""` escapes and embedded separators and line breaks, CRLF or
/// LF, UTF-8 with or without BOM. The separator (`,` or `;`) is detected from the header line.
public enum CSVReader {
    /// Parses `data`; the first record is the header. Throws `CSVError` for invalid UTF-8 or an
    /// unterminated quote (naming the line where the quoted field started).
    public static func parse(_ data: Data) throws -> (separator: Character, records: [CSVRecord]) {
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CSVError(line: 1, reason: "the file is not valid UTF-8")
        }
        let separator = detectSeparator(text)
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var quoteStart = 0
        var line = 1
        var recordLine = 1
        var fieldWasQuoted = false
        var afterQuote = false
        // The unquoted field so far is blank, so a quote may still open it. A flag, not a trim of the
        // field at every quote: that was quadratic (a 30 KB line of quotes took seconds).
        var fieldIsBlank = true
        var iterator = Array(text.unicodeScalars)
        var i = 0
        func endField() {
            fields.append(fieldWasQuoted ? field : field.trimmingWhitespace())
            field = ""
            fieldWasQuoted = false
            afterQuote = false
            fieldIsBlank = true
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields = []
        }
        while i < iterator.count {
            let c = iterator[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < iterator.count, iterator[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && fieldIsBlank && !afterQuote {
                inQuotes = true
                fieldWasQuoted = true
                field = ""
                quoteStart = line
            } else if Character(c) == separator {
                endField()
            } else if c == "\r" {
                // CRLF or a lone CR: both end the record.
                if i + 1 < iterator.count, iterator[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else if c == "\n" {
                endRecord()
                line += 1
                recordLine = line
            } else {
                if afterQuote && c != " " && c != "\t" {
                    throw CSVError(line: line, reason: "unexpected character after a closing quote")
                }
                if !afterQuote {
                    field.unicodeScalars.append(c)
                    if fieldIsBlank && !CharacterSet.whitespaces.contains(c) { fieldIsBlank = false }
                }
            }
            i += 1
        }
        iterator.removeAll()
        if inQuotes { throw CSVError(line: quoteStart, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }
        return (separator, records)
    }

    /// `;` when the first line has more semicolons than commas (outside quotes), else `,`.
    static func detectSeparator(_ text: String) -> Character {
        var commas = 0, semicolons = 0, inQuotes = false
        for c in text {
            if c == "\"" { inQuotes.toggle() }
            if inQuotes { continue }
            if c == "\n" || c == "\r" || c == "\r\n" { break }
            if c == "," { commas += 1 }
            if c == ";" { semicolons += 1 }
        }
        return semicolons > commas ? ";" : ","
    }
}
