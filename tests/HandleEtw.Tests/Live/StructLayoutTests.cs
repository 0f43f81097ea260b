using System.Runtime.CompilerServices;
using HandleEtw.Etl.Ring;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

/// <summary>handleetw's own ring entry header (the Windows structs are checked against the SDK in SdkLayoutTests).</summary>
public class StructLayoutTests
{
    [Fact]
    public void Ring_entry_header_keeps_its_56_bytes_so_entries_stay_8_aligned()
    {
        Assert.Equal(56, Unsafe.SizeOf<RawRecordHeader>());
        Assert.Equal(0, RecordRing.EntrySize(0, 0) % 8);
    }
}
