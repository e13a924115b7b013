/// Checks the seal of an audit checkpoint: all an offline verifier needs
/// (public keys only) and what the daemon's ``CheckpointSealer`` also does.
public protocol CheckpointSealVerifier: Sendable {
    /// Whether `seal` was made over `message` by the key it names: a
    /// signature under that key's public half, or (where the secret key is at
    /// hand) a legacy HMAC. False for an unknown key or another purpose's key.
    func verifies(_ message: [UInt8], seal: CheckpointSeal) -> Bool
}
