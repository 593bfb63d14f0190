using System.Globalization;

namespace ActorTrain.Data.Collection;

/// <summary>Stable document ids: the source path and the record's index in it, "SOURCE#RECORD".</summary>
public static class DocumentIds
{
    public static string For(string path, long index) => $"{path}#{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The source and record of an id made by <see cref="For"/>.</summary>
    /// <exception cref="ArgumentException">Not "SOURCE#RECORD" with a record written as <see cref="For"/> writes it.</exception>
    public static (string Source, long Record) Parse(string documentId)
    {
        int hash = documentId.LastIndexOf('#');
        // The record as For writes it and no other way ("#007", "#+7"), so an id parsed and written again is the same id.
        if (hash < 0 || !long.TryParse(documentId.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long record)
            || documentId.Length - hash - 1 != DecimalLength(record))
            throw new ArgumentException($"document id '{documentId}' is not SOURCE#RECORD", nameof(documentId));
        return (documentId[..hash], record);
    }

    /// <summary>Compares "<paramref name="sourceA"/>#<paramref name="recordA"/>" with "<paramref name="sourceB"/>#<paramref name="recordB"/>"
    /// as <see cref="string.CompareOrdinal(string, string)"/> compares the ids, without writing either.</summary>
    public static int CompareOrdinal(string sourceA, long recordA, string sourceB, long recordB)
    {
        Span<char> a = stackalloc char[20], b = stackalloc char[20];
        recordA.TryFormat(a, out int lengthA, default, CultureInfo.InvariantCulture);
        recordB.TryFormat(b, out int lengthB, default, CultureInfo.InvariantCulture);
        int common = sourceA.AsSpan().CommonPrefixLength(sourceB);
        int totalA = sourceA.Length + 1 + lengthA, totalB = sourceB.Length + 1 + lengthB;
        for (int i = common; i < totalA && i < totalB; i++)
        {
            int difference = CharAt(sourceA, a, i) - CharAt(sourceB, b, i);
            if (difference != 0) return difference;
        }
        return totalA - totalB;
    }

    // The i-th character of "source#digits".
    private static char CharAt(string source, ReadOnlySpan<char> digits, int i) =>
        i < source.Length ? source[i] : i == source.Length ? '#' : digits[i - source.Length - 1];

    private static int DecimalLength(long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out int length, default, CultureInfo.InvariantCulture);
        return length;
    }
}
