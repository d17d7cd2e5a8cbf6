using System.IO;
using System.Text;

// Sets VER_FLG_WEAK on one version requirement (vernaux entry) of 64-bit little-endian ELF shared objects,
// so that the dynamic loader warns instead of refusing when the named version is missing.
namespace R1Actors.Build
{
    public class WeakenElfVersionNeed : Microsoft.Build.Utilities.Task
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlgWeak = 0x2;

        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; }

        [Microsoft.Build.Framework.Required]
        public string VersionName { get; set; }

        public override bool Execute()
        {
            foreach (var item in Files)
            {
                var path = item.GetMetadata("FullPath");
                try
                {
                    var outcome = Patch(path);
                    if (outcome != null) Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High, "libLibTorchSharp: " + outcome + " " + path);
                }
                catch (System.Exception e)
                {
                    Log.LogError("could not patch {0}: {1}", path, e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }

        string Patch(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("not a 64-bit little-endian ELF file");
            long shoff = (long)System.BitConverter.ToUInt64(elf, 0x28);
            int shentsize = System.BitConverter.ToUInt16(elf, 0x3A);
            int shnum = System.BitConverter.ToUInt16(elf, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (System.BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)System.BitConverter.ToUInt64(elf, (int)sh + 0x18);
                int link = (int)System.BitConverter.ToUInt32(elf, (int)sh + 0x28);
                int count = (int)System.BitConverter.ToUInt32(elf, (int)sh + 0x2C);
                long strtab = (long)System.BitConverter.ToUInt64(elf, (int)(shoff + (long)link * shentsize) + 0x18);
                return PatchVerneed(path, elf, offset, count, strtab);
            }
            throw new InvalidDataException("no .gnu.version_r section");
        }

        string PatchVerneed(string path, byte[] elf, long verneed, int count, long strtab)
        {
            for (int n = 0; n < count; n++)
            {
                int auxCount = System.BitConverter.ToUInt16(elf, (int)verneed + 2);
                long aux = verneed + System.BitConverter.ToUInt32(elf, (int)verneed + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    long nameAt = strtab + System.BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadString(elf, nameAt) == VersionName)
                    {
                        ushort flags = System.BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0) return null;
                        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
                        {
                            stream.Position = aux + 4;
                            stream.Write(System.BitConverter.GetBytes((ushort)(flags | VerFlgWeak)), 0, 2);
                        }
                        return "marked " + VersionName + " weak in";
                    }
                    aux += System.BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                verneed += System.BitConverter.ToUInt32(elf, (int)verneed + 12);
            }
            return null;
        }

        static string ReadString(byte[] elf, long at)
        {
            int end = (int)at;
            while (elf[end] != 0) end++;
            return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
        }
    }
}
