// Reads and edits the symbol-version records of an ELF64 little-endian shared library.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) for one symbol,
// _ZSt21ios_base_library_initv, that it never calls (no relocation refers to it). Debian 12 and
// Ubuntu 22.04 ship libstdc++ up to GLIBCXX_3.4.30, so the loader refuses the whole library.
// Marking that version need weak (VER_FLG_WEAK) makes the loader treat it as optional.
//
// This one file is compiled twice: by MSBuild's RoslynCodeTaskFactory into the inline task of
// eng/TorchSharpGlibcxxFix.targets (which takes a single source file, hence everything here), and
// into ActorTrain.Native.Tests, which checks it and defines ACTORTRAIN_WITHOUT_MSBUILD_TASK to leave
// the MSBuild task out. The task factory compiles against netstandard, so no records or init-only
// members.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace ActorTrain.Build
{
    /// <summary>One entry of .gnu.version_r: "this library needs VERSION from FILE".</summary>
    public sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string file, string version, ushort flags, long flagsOffset)
        {
            File = file;
            Version = version;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        public string File { get; }
        public string Version { get; }
        public ushort Flags { get; }
        public long FlagsOffset { get; }
        public bool IsWeak => (Flags & ElfVersionNeeds.VerFlagWeak) != 0;
    }

    public static class ElfVersionNeeds
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Every version this library needs, with the file offset of its flags field.</summary>
        public static IReadOnlyList<ElfVersionNeed> ReadNeeds(byte[] elf, string name)
        {
            var needs = new List<ElfVersionNeed>();
            foreach (var section in SectionsOfType(elf, name, ShtGnuVerneed))
            {
                var strings = Section(elf, name, section.Link);
                long entry = section.Offset;
                for (int i = 0; i < section.Info; i++)
                {
                    ushort auxCount = U16(elf, name, entry + 2);
                    string file = CString(elf, name, strings.Offset + U32(elf, name, entry + 4));
                    long aux = entry + U32(elf, name, entry + 8);
                    for (int j = 0; j < auxCount; j++)
                    {
                        ushort flags = U16(elf, name, aux + 4);
                        string version = CString(elf, name, strings.Offset + U32(elf, name, aux + 8));
                        needs.Add(new ElfVersionNeed(file, version, flags, aux + 4));
                        aux += U32(elf, name, aux + 12);
                    }
                    uint next = U32(elf, name, entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return needs;
        }

        /// <summary>Every version name this library defines (its .gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public static ISet<string> ReadDefinitions(byte[] elf, string name)
        {
            var definitions = new HashSet<string>(StringComparer.Ordinal);
            foreach (var section in SectionsOfType(elf, name, ShtGnuVerdef))
            {
                var strings = Section(elf, name, section.Link);
                long entry = section.Offset;
                for (int i = 0; i < section.Info; i++)
                {
                    ushort auxCount = U16(elf, name, entry + 6);
                    long aux = entry + U32(elf, name, entry + 12);
                    // The first aux entry names the version itself; the others name its parents.
                    if (auxCount > 0) definitions.Add(CString(elf, name, strings.Offset + U32(elf, name, aux)));
                    uint next = U32(elf, name, entry + 16);
                    if (next == 0) break;
                    entry += next;
                }
            }
            return definitions;
        }

        /// <summary>Sets VER_FLG_WEAK on every need of <paramref name="version"/>; returns how many changed.</summary>
        public static int Weaken(byte[] elf, string name, string version)
        {
            int changed = 0;
            foreach (var need in ReadNeeds(elf, name))
            {
                if (need.Version != version || need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlagWeak);
                elf[need.FlagsOffset] = (byte)flags;
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed++;
            }
            return changed;
        }

        private struct SectionHeader
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public uint Info;
        }

        private static IEnumerable<SectionHeader> SectionsOfType(byte[] elf, string name, uint type)
        {
            CheckHeader(elf, name);
            ushort count = U16(elf, name, 0x3C);
            for (int i = 0; i < count; i++)
            {
                var section = Section(elf, name, i);
                if (section.Type == type) yield return section;
            }
        }

        private static SectionHeader Section(byte[] elf, string name, long index)
        {
            long table = (long)U64(elf, name, 0x28);
            ushort entrySize = U16(elf, name, 0x3A);
            ushort count = U16(elf, name, 0x3C);
            if (index >= count) throw Corrupt(name, $"section index {index} is past the {count} sections");
            long header = table + index * entrySize;
            var section = new SectionHeader
            {
                Type = U32(elf, name, header + 4),
                Offset = (long)U64(elf, name, header + 24),
                Size = (long)U64(elf, name, header + 32),
                Link = U32(elf, name, header + 40),
                Info = U32(elf, name, header + 44),
            };
            if (section.Offset < 0 || section.Offset + section.Size > elf.Length && section.Type != 8 /* NOBITS */)
                throw Corrupt(name, $"section {index} lies outside the file");
            return section;
        }

        private static void CheckHeader(byte[] elf, string name)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw Corrupt(name, "not an ELF file");
            if (elf[4] != 2) throw Corrupt(name, "not a 64-bit ELF file");
            if (elf[5] != 1) throw Corrupt(name, "not a little-endian ELF file");
        }

        private static string CString(byte[] elf, string name, long offset)
        {
            long end = offset;
            while (end < elf.Length && elf[end] != 0) end++;
            if (offset < 0 || end >= elf.Length) throw Corrupt(name, $"string at offset {offset} runs past the end");
            return Encoding.ASCII.GetString(elf, (int)offset, (int)(end - offset));
        }

        private static ushort U16(byte[] elf, string name, long offset) =>
            (ushort)ReadLittleEndian(elf, name, offset, 2);

        private static uint U32(byte[] elf, string name, long offset) =>
            (uint)ReadLittleEndian(elf, name, offset, 4);

        private static ulong U64(byte[] elf, string name, long offset) =>
            ReadLittleEndian(elf, name, offset, 8);

        private static ulong ReadLittleEndian(byte[] elf, string name, long offset, int size)
        {
            if (offset < 0 || offset + size > elf.Length)
                throw Corrupt(name, $"read of {size} bytes at offset {offset} is past the end ({elf.Length} bytes)");
            ulong value = 0;
            for (int i = size - 1; i >= 0; i--) value = (value << 8) | elf[offset + i];
            return value;
        }

        private static InvalidDataException Corrupt(string name, string what) =>
            new InvalidDataException($"{name}: {what}");
    }

    /// <summary>Finds the libstdc++ this machine's loader would give a process.</summary>
    public static class HostLibstdcxx
    {
        private static readonly string[] LibraryDirectories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
        };

        /// <summary>The libstdc++.so.6 mapped into this very process if any (MSBuild and dotnet load
        /// it), else the first one in the standard library directories; null when there is none.</summary>
        public static string? Find()
        {
            if (File.Exists("/proc/self/maps"))
            {
                foreach (string line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash < 0) continue;
                    string path = line.Substring(slash);
                    if (Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal)) return path;
                }
            }
            foreach (string directory in LibraryDirectories)
            {
                string candidate = Path.Combine(directory, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        public static bool Defines(string libstdcxxPath, string version) =>
            ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(libstdcxxPath), libstdcxxPath).Contains(version);
    }

#if !ACTORTRAIN_WITHOUT_MSBUILD_TASK
    /// <summary>
    /// MSBuild task: in a build-output COPY of a library, marks a libstdc++ version need weak when
    /// the host's libstdc++ lacks that version. Never touches the NuGet cache: the patched bytes go
    /// to a new file that replaces the copy by rename, which also breaks any hard link to the cache.
    /// </summary>
    public sealed class WeakenMissingGlibcxxVersion : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = "";

        public override bool Execute()
        {
            string? host = HostLibstdcxx.Find();
            if (host == null)
            {
                Log.LogWarning("ActorTrain: no libstdc++.so.6 found on this machine; {0} left as is.", Version);
                return true;
            }
            if (HostLibstdcxx.Defines(host, Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "ActorTrain: {0} defines {1}; TorchSharp needs no fix here.", host, Version);
                return true;
            }
            foreach (var item in Libraries)
            {
                string path = item.GetMetadata("FullPath");
                if (!File.Exists(path)) continue;
                byte[] elf = File.ReadAllBytes(path);
                if (ElfVersionNeeds.Weaken(elf, path, Version) == 0) continue;
                string temporary = path + ".glibcxx-fix.tmp";
                File.WriteAllBytes(temporary, elf);
                // Delete then rename (netstandard has no File.Move overwrite): a hard link to the
                // NuGet cache is cut, never written through.
                File.Delete(path);
                File.Move(temporary, path);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "ActorTrain: {0} lacks {1}; marked that version need weak in {2}", host, Version, path);
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
