using Akka.Configuration;

namespace ActorTrain.Cluster.Configuration;

/// <summary>
/// Reads a duration setting the way every actortrain section reads them: positive, and named by its full key when it is
/// not a duration or too long to hold (Akka's reader gave .NET's own "TimeSpan overflowed because the duration is too
/// long", naming nothing).
/// </summary>
public static class Durations
{
    /// <param name="section">The section the key is in.</param>
    /// <param name="sectionPath">Its path, for the message ("actortrain.data.ingest").</param>
    /// <param name="fallback">The value when the key is absent; null: the key must be there.</param>
    /// <exception cref="ConfigurationException">Not a duration, too long, or not positive; names the key and the value.</exception>
    public static TimeSpan Positive(Config section, string sectionPath, string key, TimeSpan? fallback = null)
    {
        var value = Read(section, sectionPath, key, fallback);
        return value > TimeSpan.Zero ? value : throw new ConfigurationException($"{sectionPath}.{key} must be positive (got {value})");
    }

    /// <summary>The same, where zero means "at once".</summary>
    public static TimeSpan NotNegative(Config section, string sectionPath, string key)
    {
        var value = Read(section, sectionPath, key, fallback: null);
        return value >= TimeSpan.Zero ? value : throw new ConfigurationException($"{sectionPath}.{key} must not be negative (got {value})");
    }

    private static TimeSpan Read(Config section, string sectionPath, string key, TimeSpan? fallback)
    {
        if (fallback is { } absent && !section.HasPath(key)) return absent;
        try
        {
            return section.GetTimeSpan(key);
        }
        catch (FormatException)
        {
            throw new ConfigurationException($"{sectionPath}.{key} '{section.GetString(key)}' is not a duration (like 30s or 2m)");
        }
        catch (OverflowException)
        {
            throw new ConfigurationException($"{sectionPath}.{key} '{section.GetString(key)}' is too long a duration to hold");
        }
    }
}
