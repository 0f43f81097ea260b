using System.Runtime.CompilerServices;
using HandleEtw.Windows.Native;
using HandleEtw.Windows.Ring;

namespace HandleEtw.Tests.Live;

public class StructLayoutTests
{
    [Fact]
    public void Native_structs_have_the_x64_sizes_windows_expects()
    {
        Assert.Equal(120, Unsafe.SizeOf<EventTraceProperties>());
        Assert.Equal(448, Unsafe.SizeOf<EventTraceLogfile>());
        Assert.Equal(112, Unsafe.SizeOf<EventRecordNative>());
        Assert.Equal(80, Unsafe.SizeOf<EventHeader>());
        Assert.Equal(40, Unsafe.SizeOf<SystemHandleTableEntryInfoEx>());
        Assert.Equal(104, Unsafe.SizeOf<ObjectTypeInformation>());
        Assert.Equal(88, Unsafe.SizeOf<EventTrace>());
        Assert.Equal(280, Unsafe.SizeOf<TraceLogfileHeader>());
        Assert.Equal(24, Unsafe.SizeOf<ClassicEventId>());
        Assert.Equal(32, Unsafe.SizeOf<PerfInfoGroupMask>());
        Assert.Equal(16, Unsafe.SizeOf<EventHeaderExtendedDataItem>());
        Assert.Equal(56, Unsafe.SizeOf<RawRecordHeader>());
    }

    [Fact]
    public void Key_field_offsets_match_the_sdk_layout()
    {
        Assert.Equal(116, OffsetOf(default(EventTraceProperties), (ref EventTraceProperties p) => ref p.LoggerNameOffset));
        Assert.Equal(424, OffsetOf(default(EventTraceLogfile), (ref EventTraceLogfile l) => ref l.EventRecordCallback));
        Assert.Equal(376, OffsetOf(default(EventTraceLogfile), (ref EventTraceLogfile l) => ref l.LogfileHeader.PerfFreq));
        Assert.Equal(104, OffsetOf(default(EventRecordNative), (ref EventRecordNative r) => ref r.UserContext));
        Assert.Equal(90, OffsetOf(default(ObjectTypeInformation), (ref ObjectTypeInformation t) => ref t.TypeIndex));
    }

    private delegate ref TField Field<TStruct, TField>(ref TStruct s);

    private static int OffsetOf<TStruct, TField>(TStruct value, Field<TStruct, TField> field, int adjust = 0)
    {
        ref TField f = ref field(ref value);
        return (int)Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref value), ref Unsafe.As<TField, byte>(ref f)) + adjust;
    }
}
