import Foundation
import XCTest

@testable import OrderSync
@testable import Connectors

/// Secret redaction, secret resolution, and the loader's file handling.
final class ConfigSecretTests: XCTestCase {
    // MARK: Secret never prints its value

    func testSecretNeverPrintsItsValue() throws {
        let secret = Secret("hunter2-value")
        XCTAssertEqual("\(secret)", "<redacted>")
        XCTAssertEqual(String(describing: secret), "<redacted>")
        XCTAssertEqual(String(reflecting: secret), "<redacted>")
        XCTAssertEqual(secret.debugDescription, "<redacted>")
        XCTAssertEqual(Mirror(reflecting: secret).children.count, 0)

        var dumped = ""
        dump(secret, to: &dumped)
        XCTAssertFalse(dumped.contains("hunter2"), dumped)
        XCTAssertTrue(dumped.contains("<redacted>"), dumped)

        let encoded = String(decoding: try JSONEncoder().encode(["token": secret]), as: UTF8.self)
        XCTAssertEqual(encoded, "{\"token\":\"<redacted>\"}")
        XCTAssertEqual(secret.reveal(), "hunter2-value")
    }

    func testSecretsInsideAConfigDoNotLeak() throws {
        let config = try XCTUnwrap(ConfigFixture.parse(ConfigFixture.document()))
        var dumped = ""
        dump(config, to: &dumped)
        let described = "\(config) \(String(reflecting: config)) \(config.channels) \(SecretSource.inline(Secret("bm-token")))"
        for text in [dumped, described] {
            for value in ["bm-token", "0A1B2C3D4E5F6789", "ck_1", "cs_1"] {
                XCTAssertFalse(text.contains(value), "\(value) leaked")
            }
        }
    }

    // MARK: Resolution

    func testInlineSecretResolves() throws {
        XCTAssertEqual(try SecretSource.inline(Secret("abc")).resolve(environment: [:]).reveal(), "abc")
        XCTAssertThrowsError(try SecretSource.inline(Secret("")).resolve(environment: [:], path: "channels[0].token")) {
            XCTAssertEqual(($0 as? ConfigProblem)?.description, "config: channels[0].token: must not be empty")
        }
    }

    func testFileSecretStripsExactlyOneTrailingNewline() throws {
        let directory = try ConfigTempDirectory()
        let cases: [(String, String)] = [("abc\n", "abc"), ("abc", "abc"), ("abc\r\n", "abc"), (" abc \n", " abc ")]
        for (index, (contents, expected)) in cases.enumerated() {
            let file = try directory.write("s\(index)", contents)
            XCTAssertEqual(try SecretSource.file(file).resolve(environment: [:]).reveal(), expected)
        }
        let twoNewlines = try directory.write("two", "s3cr3t\n\n")
        assertProblem(.file(twoNewlines), "config: x.token_file: file \"\(twoNewlines)\" contains a line break or control character")
    }

    func testFileSecretProblemsNameThePathNeverTheContent() throws {
        let directory = try ConfigTempDirectory()
        let empty = try directory.write("empty", "")
        let newlineOnly = try directory.write("nl", "\n")
        let multiLine = try directory.write("multi", "s3cr3t\nmore")
        let missing = directory.path + "/missing"
        assertProblem(.file(missing), "config: x.token_file: cannot read \"\(missing)\": No such file or directory")
        assertProblem(.file(empty), "config: x.token_file: file \"\(empty)\" is empty")
        assertProblem(.file(newlineOnly), "config: x.token_file: file \"\(newlineOnly)\" is empty")
        assertProblem(.file(multiLine), "config: x.token_file: file \"\(multiLine)\" contains a line break or control character")
        assertProblem(.file(directory.path), "config: x.token_file: cannot read \"\(directory.path)\": is a directory")
        if getuid() != 0 {
            let unreadable = try directory.write("unreadable", "s3cr3t", permissions: 0o000)
            assertProblem(.file(unreadable), "config: x.token_file: cannot read \"\(unreadable)\": Permission denied")
        }
    }

    func testCredentialsDirectoryIsExpanded() throws {
        let directory = try ConfigTempDirectory()
        try directory.write("bm.token", "from-credentials\n")
        let environment = ["CREDENTIALS_DIRECTORY": directory.path]
        XCTAssertEqual(try SecretSource.file("${CREDENTIALS_DIRECTORY}/bm.token").resolve(environment: environment).reveal(),
                       "from-credentials")
        XCTAssertEqual(try SecretSource.file("$CREDENTIALS_DIRECTORY/bm.token").resolve(environment: environment).reveal(),
                       "from-credentials")
        assertProblem(.file("${CREDENTIALS_DIRECTORY}/bm.token"),
                      "config: x.token_file: $CREDENTIALS_DIRECTORY is not set (systemd sets it for LoadCredential=)")
        // `$CREDENTIALS_DIRECTORY_X` is another variable: left alone.
        assertProblem(.file("/x/$CREDENTIALS_DIRECTORY_X"), environment: environment,
                      "config: x.token_file: cannot read \"/x/$CREDENTIALS_DIRECTORY_X\": No such file or directory")
    }

    func testEnvironmentSecret() throws {
        XCTAssertEqual(try SecretSource.environment("BM_TOKEN").resolve(environment: ["BM_TOKEN": "t"]).reveal(), "t")
        assertProblem(.environment("BM_TOKEN"), "config: x.token_env: environment variable \"BM_TOKEN\" is not set")
        assertProblem(.environment("BM_TOKEN"), environment: ["BM_TOKEN": ""],
                      "config: x.token_env: environment variable \"BM_TOKEN\" is empty")
        assertProblem(.environment("BM_TOKEN"), environment: ["BM_TOKEN": "a\nb"],
                      "config: x.token_env: environment variable \"BM_TOKEN\" contains a line break or control character")
    }

    func testResolvedSecretsPerChannelSkippingDisabledChannels() throws {
        let directory = try ConfigTempDirectory()
        let keyFile = try directory.write("woo.key", "ck_file\n")
        let document = ConfigFixture.document(channels: [
            ConfigFixture.edit(ConfigFixture.backMarket, ["token": nil, "token_env": "BM_TOKEN"]),
            ConfigFixture.edit(ConfigFixture.spartoo, ["enabled": false, "partner_id": nil, "partner_id_env": "UNSET"]),
            ConfigFixture.edit(ConfigFixture.wooCommerce, ["consumer_key": nil, "consumer_key_file": keyFile]),
        ])
        let config = try XCTUnwrap(ConfigFixture.parse(document))
        let (secrets, problems) = config.resolvedSecrets(environment: ["BM_TOKEN": "bm"])
        XCTAssertEqual(problems, [])
        XCTAssertEqual(secrets, [
            "bm-eu": .backmarket(token: Secret("bm")),
            "shop": .woocommerce(consumerKey: Secret("ck_file"), consumerSecret: Secret("cs_1")),
        ])
        let (_, missing) = config.resolvedSecrets(environment: [:])
        XCTAssertEqual(missing.map(\.description), ["config: channels[0].token_env: environment variable \"BM_TOKEN\" is not set"])
    }

    // MARK: Loader

    func testLoadReadsValidatesAndResolves() throws {
        let directory = try ConfigTempDirectory()
        let token = try directory.write("bm.token", "bm-from-file\n")
        let document = ConfigFixture.oneChannel(ConfigFixture.backMarket, ["token": nil, "token_file": token])
        let path = try directory.write("config.json", String(decoding: ConfigFixture.data(document), as: UTF8.self))
        let config = try ConfigLoader.load(path: path, environment: [:])
        XCTAssertEqual(config.sourcePath, path)
        let loaded = try ConfigLoader.loadWithSecrets(path: path, environment: [:])
        XCTAssertEqual(loaded.secrets["bm-eu"], .backmarket(token: Secret("bm-from-file")))
        XCTAssertEqual(loaded.warnings, [])
    }

    func testUnreadableConfigFile() {
        let check = ConfigLoader.check(path: "/nonexistent/ordersync.json", environment: [:])
        XCTAssertNil(check.config)
        XCTAssertEqual(check.problems.map(\.description),
                       ["config: $: cannot read \"/nonexistent/ordersync.json\": No such file or directory"])
    }

    func testLoadCollectsEveryProblemIncludingSecrets() throws {
        let directory = try ConfigTempDirectory()
        let text = """
            {
              "state_dir": "relative/state",
              "pol_interval_seconds": 60,
              "channels": [
                { "id": "BM", "type": "backmarket", "region": "eu", "token_file": "\(directory.path)/missing",
                  "user_agent": "BM-Acme-ordersync" },
                { "id": "shop", "type": "woocommerce", "base_url": "http://shop.example.com",
                  "consumer_key_env": "WOO_KEY", "consumer_secret": "cs", "auto_accept": true }
              ]
            }
            """
        let path = try directory.write("config.json", text)
        XCTAssertThrowsError(try ConfigLoader.load(path: path, environment: [:])) { error in
            let problems = (error as? ConfigError)?.problems.map(\.description) ?? []
            XCTAssertEqual(problems, [
                "config: pol_interval_seconds: unknown key \"pol_interval_seconds\" (did you mean \"poll_interval_seconds\"?)",
                "config: channels[1].auto_accept: not allowed on a woocommerce channel (it has no acceptance step)",
                "config: state_dir: must be an absolute path (got \"relative/state\")",
                "config: channels[0].id: must match [a-z0-9-]+ (got \"BM\")",
                "config: channels[0].user_agent: must look like BM-{Company}-{Integration};{email} (no \";\" before the contact e-mail)",
                "config: channels[1].base_url: http:// is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://",
                "config: channels[0].token_file: cannot read \"\(directory.path)/missing\": No such file or directory",
                "config: channels[1].consumer_key_env: environment variable \"WOO_KEY\" is not set",
            ])
            XCTAssertEqual((error as? ConfigError)?.description, problems.joined(separator: "\n"))
        }
    }

    func testInlineSecretsInAGroupReadableFileWarn() throws {
        let directory = try ConfigTempDirectory()
        let text = String(decoding: ConfigFixture.data(ConfigFixture.document()), as: UTF8.self)
        let open = try directory.write("open.json", text, permissions: 0o644)
        let check = ConfigLoader.check(path: open, environment: [:])
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.warnings.map(\.description), [
            "config: $: \(open) holds inline secrets (channels[0].token, channels[1].partner_id, channels[2].consumer_key, "
                + "channels[2].consumer_secret) and is readable by group or others; run chmod 600 \(open), or move them to *_file or *_env keys"
        ])
        for warning in check.warnings { XCTAssertFalse(warning.description.contains("bm-token")) }
        let closed = try directory.write("closed.json", text, permissions: 0o600)
        XCTAssertEqual(ConfigLoader.check(path: closed, environment: [:]).warnings, [])
    }

    // MARK: Helpers

    private func assertProblem(
        _ source: SecretSource, environment: [String: String] = [:], _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let secret = try source.resolve(environment: environment, path: "x.token")
            XCTFail("resolved to \(secret)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.description, expected, file: file, line: line)
            XCTAssertFalse(error.description.contains("s3cr3t"), file: file, line: line)
        }
    }
}
