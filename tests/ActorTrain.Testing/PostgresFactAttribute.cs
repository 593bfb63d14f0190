using ActorTrain.Processes;
using Xunit;

namespace ActorTrain.Testing;

/// <summary>
/// A test that needs a private PostgreSQL. Without the server binaries it is reported as skipped
/// with the reason, except under CI=true, where it runs (and fails) so CI never passes silently.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!ContinuousIntegration.IsRunning && PrivatePostgres.UnavailableReason is { } reason) Skip = reason;
    }
}

public static class ContinuousIntegration
{
    public static bool IsRunning =>
        Environment.GetEnvironmentVariable("CI") is { } value &&
        (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");
}
