import FoundationEssentials

/// libFuzzer entry point: decode arbitrary bytes as a config.json, and validate what decodes;
/// short inputs also go through the signal, container id, cpuset and sysctl parsers.
/// Any outcome is fine except a crash, a trap (overflow, out-of-range index), a hang or a
/// leak: decoding and validation are pure and must reject every input with a SpecError.
/// Built by scripts/fuzz.sh together with Sources/OCI (one module), never by `swift build`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    // The small parsers the CLI and the cgroup code feed with strings: on the raw input
    // (short inputs only: they are line-sized in real use).
    if size <= 256 {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? Signals.parse(text)
        _ = try? ContainerID.validate(text)
        _ = CPUList.parse(text)
        _ = Sysctl.isValidName(text)
        _ = Sysctl.problem(with: text, namespaces: [])
    }
    do {
        let spec = try Spec.decode(bytes)
        do {
            try spec.validate()
            // A valid spec must survive a round trip through the encoder.
            _ = try Spec.decode(spec.encoded())
        } catch {
            _ = "\(error)"
        }
    } catch {
        _ = "\(error)"
    }
    return 0
}
