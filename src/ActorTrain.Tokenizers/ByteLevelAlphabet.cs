namespace ActorTrain.Tokenizers;

/// <summary>
/// GPT-2's reversible map from the 256 byte values to printable characters, which is how byte-level
/// BPE vocabularies and merges are written as text (in tokenizer.json, vocab.json and merges.txt):
/// printable Latin-1 bytes stand for themselves, the others are shifted to U+0100 and up (space is 'Ġ').
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, b) => (c, b)).ToDictionary(p => p.c, p => (byte)p.b);

    public static char CharOf(byte value) => ByteToChar[value];

    /// <summary>The text form of a token's bytes.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <exception cref="FormatException">A character that is not in the byte-level alphabet.</exception>
    public static byte[] Decode(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (!CharToByte.TryGetValue(text[i], out bytes[i]))
                throw new FormatException($"'{text}' is not byte-level text: U+{(int)text[i]:X4} at {i} stands for no byte");
        }
        return bytes;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + shifted++);
        }
        return map;
    }
}
