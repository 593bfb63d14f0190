namespace ActorTrain.Data.Cleaning.Pii;

/// <summary>What personal data and secrets are replaced with (fixed strings, as datatrove does, so a
/// model learns the shape of an address without anyone's address).</summary>
public sealed record PiiPlaceholders
{
    public string Email { get; init; } = "<EMAIL>";
    public string IpAddress { get; init; } = "<IP_ADDRESS>";
    public string Phone { get; init; } = "<PHONE>";
    public string Secret { get; init; } = "<SECRET>";
}
