import FoundationEssentials
import Testing
@testable import OCI

@Suite("Signals")
struct SignalTests {
    @Test("parsing", arguments: [
        ("9", 9), ("KILL", 9), ("SIGKILL", 9), ("sigkill", 9), ("kill", 9), ("SigTerm", 15), ("TERM", 15),
        ("HUP", 1), ("SIGSYS", 31), ("SIGIOT", 6), ("POLL", 29), ("1", 1), ("64", 64), ("34", 34),
        ("RTMIN", 34), ("SIGRTMIN", 34), ("RTMIN+1", 35), ("SIGRTMIN+30", 64), ("RTMAX", 64),
        ("SIGRTMAX-1", 63), ("rtmax-30", 34), ("WINCH", 28), ("USR1", 10), ("SIGCHLD", 17),
    ] as [(String, Int32)])
    func parse(_ text: String, _ number: Int32) throws {
        #expect(try Signals.parse(text) == number)
    }

    @Test("kill's 0 (runc's check that the init can be signalled)", arguments: [("0", 0), ("00", 0), ("9", 9), ("64", 64)] as [(String, Int32)])
    func parseAllowingZero(_ text: String, _ number: Int32) throws {
        #expect(try Signals.parse(text, allowingZero: true) == number)
    }

    @Test("kill's range is still 0-64", arguments: ["65", "-1", "99999999999"])
    func rejectedAllowingZero(_ text: String) throws {
        let error = try #require(Fixtures.specError { _ = try Signals.parse(text, allowingZero: true) })
        #expect(error.path == "signal")
    }

    @Test("rejected", arguments: [
        ("0", "out of range"), ("65", "out of range"), ("99999999999", "out of range"),
        ("", "unknown signal"), ("FOO", #"unknown signal "FOO""#), ("SIG", "unknown signal"), ("-9", "unknown signal"),
        ("RTMIN+31", "unknown signal"), ("RTMAX+1", "unknown signal"), ("RTMIN-1", "unknown signal"),
        ("RTMIN+", "unknown signal"), ("SIGRTMAX-31", "unknown signal"), (" 9", "unknown signal"),
    ])
    func rejected(_ text: String, _ keyword: String) throws {
        let error = try #require(Fixtures.specError { _ = try Signals.parse(text) })
        #expect(error.path == "signal")
        #expect(error.message.contains(keyword), "\(error)")
    }

    @Test("the standard table has the 31 Linux signals in order")
    func standardTable() {
        #expect(Signals.standard.count == 31)
        #expect(Signals.standard.map(\.number) == Array(1...31))
        #expect(Signals.standard.first?.name == "SIGHUP")
        #expect(Signals.standard.last?.name == "SIGSYS")
    }

    @Test("names", arguments: [
        (9, "SIGKILL"), (15, "SIGTERM"), (34, "SIGRTMIN"), (35, "SIGRTMIN+1"), (49, "SIGRTMIN+15"),
        (50, "SIGRTMAX-14"), (63, "SIGRTMAX-1"), (64, "SIGRTMAX"), (32, "signal 32"), (0, "signal 0"),
    ] as [(Int32, String)])
    func name(_ number: Int32, _ name: String) throws {
        #expect(Signals.name(of: number) == name)
    }

    @Test("every name parses back to its number")
    func nameRoundTrip() throws {
        for number in Int32(1)...64 where number != 32 && number != 33 {
            #expect(try Signals.parse(Signals.name(of: number)) == number)
        }
    }
}
