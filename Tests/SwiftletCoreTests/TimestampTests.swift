import Foundation
import Testing
@testable import SwiftletCore

/// `created` in state.json: RFC 3339 UTC with nanoseconds, as runc prints it, computed without
/// Foundation's calendar (the runtime imports FoundationEssentials only).
@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), Int64(0), "1970-01-01T00:00:00.000000000Z"),
        (1, 1, "1970-01-01T00:00:01.000000001Z"),
        (86399, 999_999_999, "1970-01-01T23:59:59.999999999Z"),
        (86400, 0, "1970-01-02T00:00:00.000000000Z"),
        (951_782_400, 0, "2000-02-29T00:00:00.000000000Z"),  // 2000 is a leap year (divisible by 400)
        (951_868_800, 0, "2000-03-01T00:00:00.000000000Z"),
        (4_107_456_000, 0, "2100-02-28T00:00:00.000000000Z"),  // 2100 is not
        (4_107_542_400, 0, "2100-03-01T00:00:00.000000000Z"),
        (1_709_164_800, 0, "2024-02-29T00:00:00.000000000Z"),
        (1_735_689_599, 500_000_000, "2024-12-31T23:59:59.500000000Z"),
        (2_147_483_647, 0, "2038-01-19T03:14:07.000000000Z"),  // the 32-bit time_t limit
        (13_574_563_200, 0, "2400-02-29T00:00:00.000000000Z"),
        (253_402_300_799, 123, "9999-12-31T23:59:59.000000123Z"),
        (-1, 0, "1969-12-31T23:59:59.000000000Z"),
        (-86400, 0, "1969-12-31T00:00:00.000000000Z"),
        (-86401, 0, "1969-12-30T23:59:59.000000000Z"),
        (-2_208_988_800, 0, "1900-01-01T00:00:00.000000000Z"),
        (-62_135_596_800, 0, "0001-01-01T00:00:00.000000000Z"),
    ])
    func format(seconds: Int64, nanos: Int64, expected: String) {
        #expect(Timestamp.format(seconds: seconds, nanos: nanos) == expected)
    }

    /// Cross-checked against Foundation's ISO 8601 formatter over a spread of instants.
    @Test(arguments: Array(stride(from: Int64(-5_000_000_000), through: 20_000_000_000, by: 123_456_789)))
    func agreesWithFoundation(seconds: Int64) {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        let expected = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let ours = Timestamp.format(seconds: seconds, nanos: 0)
        #expect(ours == expected.replacingOccurrences(of: "Z", with: ".000000000Z"))
    }

    @Test func nowIsCurrentAndWellFormed() throws {
        let text = Timestamp.now()
        #expect(text.count == 30)
        let regex = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$"#)
        #expect(text.wholeMatch(of: regex) != nil)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let date = try #require(formatter.date(from: String(text.prefix(19)) + "Z"))
        #expect(abs(date.timeIntervalSinceNow) < 60)
        #expect(Runtime.timestamp().count == 30)
    }
}
