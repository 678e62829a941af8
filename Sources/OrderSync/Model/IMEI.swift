/// IMEI validation: 15 decimal digits whose last digit is the Luhn check digit.
public enum IMEI {
    /// True when `text` is exactly 15 ASCII digits with a valid Luhn check digit.
    public static func isValid(_ text: String) -> Bool {
        let digits = text.utf8.map { Int($0) - 48 }
        guard digits.count == 15, digits.allSatisfy({ (0...9).contains($0) }) else { return false }
        return luhnValid(digits)
    }

    /// The Luhn check over a digit sequence (rightmost digit is the check digit).
    public static func luhnValid(_ digits: [Int]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// Appends the Luhn check digit to 14 digits (used by the demo and tests to make valid IMEIs).
    public static func withCheckDigit(_ fourteen: String) -> String {
        let digits = fourteen.utf8.map { Int($0) - 48 }
        for check in 0...9 where luhnValid(digits + [check]) {
            return fourteen + String(check)
        }
        return fourteen + "0"
    }
}
