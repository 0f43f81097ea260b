/*
 * Sizes, offsets and constants of the Windows SDK, as mingw-w64's headers declare them, for SdkLayoutTests. It is only
 * compiled (x86_64-w64-mingw32-gcc -S): every value below becomes a labelled .quad in the assembly, which the test
 * reads and compares with what the C# structs in src/HandleEtw.Windows/Native declare (Marshal.OffsetOf / SizeOf)
 * and with the C# constants of the same meaning.
 *
 * Label names: S(Type, size) is `<C# struct>__size`, F(Type, Field, ...) is `<C# struct>__<C# field>`,
 * K(Type, Name, ...) is `const__<C# type>__<C# constant>`.
 */
#include <windows.h>
#include <winternl.h>
#include <wmistr.h>
#include <evntrace.h>
#include <evntcons.h>
#include <ntstatus.h>
#include <stddef.h>

#define S(type, expr) const long long type##__size = (long long)(expr);
#define F(type, field, expr) const long long type##__##field = (long long)(expr);
#define K(type, name, expr) const long long const__##type##__##name = (long long)(expr);

/* Not in the SDK: declared here as phnt (ntexapi.h, ntwmi.h) declares them, with the SDK's types, so the compiler
   lays them out. */
typedef struct {
    PVOID Object;
    ULONG_PTR UniqueProcessId;
    ULONG_PTR HandleValue;
    ACCESS_MASK GrantedAccess;
    USHORT CreatorBackTraceIndex;
    USHORT ObjectTypeIndex;
    ULONG HandleAttributes;
    ULONG Reserved;
} SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX;

typedef struct {
    ULONG_PTR NumberOfHandles;
    ULONG_PTR Reserved;
    SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX Handles[1];
} SYSTEM_HANDLE_INFORMATION_EX;

typedef struct {
    ULONG Masks[8];
} PERFINFO_GROUPMASK;

/* TRACE_STACK_CACHING_INFO (evntrace.h of newer SDKs, not yet in mingw-w64's) */
typedef struct {
    BOOLEAN Enabled;
    ULONG CacheSize;
    ULONG BucketCount;
} TRACE_STACK_CACHING_INFO;

/* EVENT_TRACE_TAG_FILTER_INFORMATION (phnt ntwmi.h): the object-type filter for NtSetSystemInformation */
typedef struct {
    ULONG EventTraceInformationClass;
    TRACEHANDLE TraceHandle;
    ULONG Filter[4];
} EVENT_TRACE_TAG_FILTER_INFORMATION;

/* EVENT_TRACE_PROPERTIES (WNODE_HEADER first) */
S(EventTraceProperties, sizeof(EVENT_TRACE_PROPERTIES))
F(EventTraceProperties, WnodeBufferSize, offsetof(EVENT_TRACE_PROPERTIES, Wnode.BufferSize))
F(EventTraceProperties, WnodeProviderId, offsetof(EVENT_TRACE_PROPERTIES, Wnode.ProviderId))
F(EventTraceProperties, HistoricalContext, offsetof(EVENT_TRACE_PROPERTIES, Wnode.HistoricalContext))
F(EventTraceProperties, TimeStamp, offsetof(EVENT_TRACE_PROPERTIES, Wnode.TimeStamp))
F(EventTraceProperties, Guid, offsetof(EVENT_TRACE_PROPERTIES, Wnode.Guid))
F(EventTraceProperties, ClientContext, offsetof(EVENT_TRACE_PROPERTIES, Wnode.ClientContext))
F(EventTraceProperties, WnodeFlags, offsetof(EVENT_TRACE_PROPERTIES, Wnode.Flags))
F(EventTraceProperties, BufferSize, offsetof(EVENT_TRACE_PROPERTIES, BufferSize))
F(EventTraceProperties, MinimumBuffers, offsetof(EVENT_TRACE_PROPERTIES, MinimumBuffers))
F(EventTraceProperties, MaximumBuffers, offsetof(EVENT_TRACE_PROPERTIES, MaximumBuffers))
F(EventTraceProperties, MaximumFileSize, offsetof(EVENT_TRACE_PROPERTIES, MaximumFileSize))
F(EventTraceProperties, LogFileMode, offsetof(EVENT_TRACE_PROPERTIES, LogFileMode))
F(EventTraceProperties, FlushTimer, offsetof(EVENT_TRACE_PROPERTIES, FlushTimer))
F(EventTraceProperties, EnableFlags, offsetof(EVENT_TRACE_PROPERTIES, EnableFlags))
F(EventTraceProperties, AgeLimit, offsetof(EVENT_TRACE_PROPERTIES, AgeLimit))
F(EventTraceProperties, NumberOfBuffers, offsetof(EVENT_TRACE_PROPERTIES, NumberOfBuffers))
F(EventTraceProperties, FreeBuffers, offsetof(EVENT_TRACE_PROPERTIES, FreeBuffers))
F(EventTraceProperties, EventsLost, offsetof(EVENT_TRACE_PROPERTIES, EventsLost))
F(EventTraceProperties, BuffersWritten, offsetof(EVENT_TRACE_PROPERTIES, BuffersWritten))
F(EventTraceProperties, LogBuffersLost, offsetof(EVENT_TRACE_PROPERTIES, LogBuffersLost))
F(EventTraceProperties, RealTimeBuffersLost, offsetof(EVENT_TRACE_PROPERTIES, RealTimeBuffersLost))
F(EventTraceProperties, LoggerThreadId, offsetof(EVENT_TRACE_PROPERTIES, LoggerThreadId))
F(EventTraceProperties, LogFileNameOffset, offsetof(EVENT_TRACE_PROPERTIES, LogFileNameOffset))
F(EventTraceProperties, LoggerNameOffset, offsetof(EVENT_TRACE_PROPERTIES, LoggerNameOffset))

/* EVENT_TRACE_HEADER, EVENT_TRACE */
S(EventTraceHeader, sizeof(EVENT_TRACE_HEADER))
F(EventTraceHeader, Size, offsetof(EVENT_TRACE_HEADER, Size))
F(EventTraceHeader, FieldTypeFlags, offsetof(EVENT_TRACE_HEADER, FieldTypeFlags))
F(EventTraceHeader, Version, offsetof(EVENT_TRACE_HEADER, Version))
F(EventTraceHeader, ThreadId, offsetof(EVENT_TRACE_HEADER, ThreadId))
F(EventTraceHeader, ProcessId, offsetof(EVENT_TRACE_HEADER, ProcessId))
F(EventTraceHeader, TimeStamp, offsetof(EVENT_TRACE_HEADER, TimeStamp))
F(EventTraceHeader, Guid, offsetof(EVENT_TRACE_HEADER, Guid))
F(EventTraceHeader, ProcessorTime, offsetof(EVENT_TRACE_HEADER, ProcessorTime))
S(EventTrace, sizeof(EVENT_TRACE))
F(EventTrace, Header, offsetof(EVENT_TRACE, Header))
F(EventTrace, InstanceId, offsetof(EVENT_TRACE, InstanceId))
F(EventTrace, ParentInstanceId, offsetof(EVENT_TRACE, ParentInstanceId))
F(EventTrace, ParentGuid, offsetof(EVENT_TRACE, ParentGuid))
F(EventTrace, MofData, offsetof(EVENT_TRACE, MofData))
F(EventTrace, MofLength, offsetof(EVENT_TRACE, MofLength))
F(EventTrace, ClientContext, offsetof(EVENT_TRACE, ClientContext))

/* TRACE_LOGFILE_HEADER */
S(TraceLogfileHeader, sizeof(TRACE_LOGFILE_HEADER))
F(TraceLogfileHeader, BufferSize, offsetof(TRACE_LOGFILE_HEADER, BufferSize))
F(TraceLogfileHeader, Version, offsetof(TRACE_LOGFILE_HEADER, Version))
F(TraceLogfileHeader, ProviderVersion, offsetof(TRACE_LOGFILE_HEADER, ProviderVersion))
F(TraceLogfileHeader, NumberOfProcessors, offsetof(TRACE_LOGFILE_HEADER, NumberOfProcessors))
F(TraceLogfileHeader, EndTime, offsetof(TRACE_LOGFILE_HEADER, EndTime))
F(TraceLogfileHeader, TimerResolution, offsetof(TRACE_LOGFILE_HEADER, TimerResolution))
F(TraceLogfileHeader, MaximumFileSize, offsetof(TRACE_LOGFILE_HEADER, MaximumFileSize))
F(TraceLogfileHeader, LogFileMode, offsetof(TRACE_LOGFILE_HEADER, LogFileMode))
F(TraceLogfileHeader, BuffersWritten, offsetof(TRACE_LOGFILE_HEADER, BuffersWritten))
F(TraceLogfileHeader, StartBuffers, offsetof(TRACE_LOGFILE_HEADER, StartBuffers))
F(TraceLogfileHeader, PointerSize, offsetof(TRACE_LOGFILE_HEADER, PointerSize))
F(TraceLogfileHeader, EventsLost, offsetof(TRACE_LOGFILE_HEADER, EventsLost))
F(TraceLogfileHeader, CpuSpeedInMHz, offsetof(TRACE_LOGFILE_HEADER, CpuSpeedInMHz))
F(TraceLogfileHeader, LoggerName, offsetof(TRACE_LOGFILE_HEADER, LoggerName))
F(TraceLogfileHeader, LogFileName, offsetof(TRACE_LOGFILE_HEADER, LogFileName))
F(TraceLogfileHeader, TimeZoneBias, offsetof(TRACE_LOGFILE_HEADER, TimeZone.Bias))
F(TraceLogfileHeader, BootTime, offsetof(TRACE_LOGFILE_HEADER, BootTime))
F(TraceLogfileHeader, PerfFreq, offsetof(TRACE_LOGFILE_HEADER, PerfFreq))
F(TraceLogfileHeader, StartTime, offsetof(TRACE_LOGFILE_HEADER, StartTime))
F(TraceLogfileHeader, ReservedFlags, offsetof(TRACE_LOGFILE_HEADER, ReservedFlags))
F(TraceLogfileHeader, BuffersLost, offsetof(TRACE_LOGFILE_HEADER, BuffersLost))

/* EVENT_TRACE_LOGFILEW */
S(EventTraceLogfile, sizeof(EVENT_TRACE_LOGFILEW))
F(EventTraceLogfile, LogFileName, offsetof(EVENT_TRACE_LOGFILEW, LogFileName))
F(EventTraceLogfile, LoggerName, offsetof(EVENT_TRACE_LOGFILEW, LoggerName))
F(EventTraceLogfile, CurrentTime, offsetof(EVENT_TRACE_LOGFILEW, CurrentTime))
F(EventTraceLogfile, BuffersRead, offsetof(EVENT_TRACE_LOGFILEW, BuffersRead))
F(EventTraceLogfile, ProcessTraceMode, offsetof(EVENT_TRACE_LOGFILEW, ProcessTraceMode))
F(EventTraceLogfile, CurrentEvent, offsetof(EVENT_TRACE_LOGFILEW, CurrentEvent))
F(EventTraceLogfile, LogfileHeader, offsetof(EVENT_TRACE_LOGFILEW, LogfileHeader))
F(EventTraceLogfile, BufferCallback, offsetof(EVENT_TRACE_LOGFILEW, BufferCallback))
F(EventTraceLogfile, BufferSize, offsetof(EVENT_TRACE_LOGFILEW, BufferSize))
F(EventTraceLogfile, Filled, offsetof(EVENT_TRACE_LOGFILEW, Filled))
F(EventTraceLogfile, EventsLost, offsetof(EVENT_TRACE_LOGFILEW, EventsLost))
F(EventTraceLogfile, EventRecordCallback, offsetof(EVENT_TRACE_LOGFILEW, EventRecordCallback))
F(EventTraceLogfile, IsKernelTrace, offsetof(EVENT_TRACE_LOGFILEW, IsKernelTrace))
F(EventTraceLogfile, Context, offsetof(EVENT_TRACE_LOGFILEW, Context))

/* EVENT_HEADER, EVENT_RECORD, EVENT_HEADER_EXTENDED_DATA_ITEM */
S(EventHeader, sizeof(EVENT_HEADER))
F(EventHeader, Size, offsetof(EVENT_HEADER, Size))
F(EventHeader, HeaderType, offsetof(EVENT_HEADER, HeaderType))
F(EventHeader, Flags, offsetof(EVENT_HEADER, Flags))
F(EventHeader, EventProperty, offsetof(EVENT_HEADER, EventProperty))
F(EventHeader, ThreadId, offsetof(EVENT_HEADER, ThreadId))
F(EventHeader, ProcessId, offsetof(EVENT_HEADER, ProcessId))
F(EventHeader, TimeStamp, offsetof(EVENT_HEADER, TimeStamp))
F(EventHeader, ProviderId, offsetof(EVENT_HEADER, ProviderId))
F(EventHeader, Id, offsetof(EVENT_HEADER, EventDescriptor.Id))
F(EventHeader, Version, offsetof(EVENT_HEADER, EventDescriptor.Version))
F(EventHeader, Channel, offsetof(EVENT_HEADER, EventDescriptor.Channel))
F(EventHeader, Level, offsetof(EVENT_HEADER, EventDescriptor.Level))
F(EventHeader, Opcode, offsetof(EVENT_HEADER, EventDescriptor.Opcode))
F(EventHeader, Task, offsetof(EVENT_HEADER, EventDescriptor.Task))
F(EventHeader, Keyword, offsetof(EVENT_HEADER, EventDescriptor.Keyword))
F(EventHeader, KernelTime, offsetof(EVENT_HEADER, KernelTime))
F(EventHeader, UserTime, offsetof(EVENT_HEADER, UserTime))
F(EventHeader, ActivityId, offsetof(EVENT_HEADER, ActivityId))
K(EventHeader, FlagClassicHeader, EVENT_HEADER_FLAG_CLASSIC_HEADER)
K(EventHeader, Flag32BitHeader, EVENT_HEADER_FLAG_32_BIT_HEADER)
K(EventHeader, Flag64BitHeader, EVENT_HEADER_FLAG_64_BIT_HEADER)
K(EventHeader, FlagProcessorIndex, EVENT_HEADER_FLAG_PROCESSOR_INDEX)

S(EventRecordNative, sizeof(EVENT_RECORD))
F(EventRecordNative, EventHeader, offsetof(EVENT_RECORD, EventHeader))
F(EventRecordNative, ProcessorNumber, offsetof(EVENT_RECORD, BufferContext.ProcessorNumber))
F(EventRecordNative, Alignment, offsetof(EVENT_RECORD, BufferContext.Alignment))
F(EventRecordNative, ProcessorIndex, offsetof(EVENT_RECORD, BufferContext.ProcessorIndex))
F(EventRecordNative, LoggerId, offsetof(EVENT_RECORD, BufferContext.LoggerId))
F(EventRecordNative, ExtendedDataCount, offsetof(EVENT_RECORD, ExtendedDataCount))
F(EventRecordNative, UserDataLength, offsetof(EVENT_RECORD, UserDataLength))
F(EventRecordNative, ExtendedData, offsetof(EVENT_RECORD, ExtendedData))
F(EventRecordNative, UserData, offsetof(EVENT_RECORD, UserData))
F(EventRecordNative, UserContext, offsetof(EVENT_RECORD, UserContext))

S(EventHeaderExtendedDataItem, sizeof(EVENT_HEADER_EXTENDED_DATA_ITEM))
F(EventHeaderExtendedDataItem, Reserved1, offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, Reserved1))
F(EventHeaderExtendedDataItem, ExtType, offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, ExtType))
/* Linkage is a bit field (offsetof cannot name it): its USHORT unit is the one right after ExtType. */
F(EventHeaderExtendedDataItem, Linkage, offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, ExtType) + sizeof(USHORT))
F(EventHeaderExtendedDataItem, DataSize, offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, DataSize))
F(EventHeaderExtendedDataItem, DataPtr, offsetof(EVENT_HEADER_EXTENDED_DATA_ITEM, DataPtr))

/* CLASSIC_EVENT_ID (TraceStackTracingInfo list), PERFINFO_GROUPMASK */
S(ClassicEventId, sizeof(CLASSIC_EVENT_ID))
F(ClassicEventId, EventGuid, offsetof(CLASSIC_EVENT_ID, EventGuid))
F(ClassicEventId, Type, offsetof(CLASSIC_EVENT_ID, Type))
S(PerfInfoGroupMask, sizeof(PERFINFO_GROUPMASK))
F(PerfInfoGroupMask, Masks, offsetof(PERFINFO_GROUPMASK, Masks))
S(StackCachingInfo, sizeof(TRACE_STACK_CACHING_INFO))
F(StackCachingInfo, Enabled, offsetof(TRACE_STACK_CACHING_INFO, Enabled))
F(StackCachingInfo, CacheSize, offsetof(TRACE_STACK_CACHING_INFO, CacheSize))
F(StackCachingInfo, BucketCount, offsetof(TRACE_STACK_CACHING_INFO, BucketCount))
S(ObjectTypeFilterInfo, sizeof(EVENT_TRACE_TAG_FILTER_INFORMATION))
F(ObjectTypeFilterInfo, InformationClass, offsetof(EVENT_TRACE_TAG_FILTER_INFORMATION, EventTraceInformationClass))
F(ObjectTypeFilterInfo, TraceHandle, offsetof(EVENT_TRACE_TAG_FILTER_INFORMATION, TraceHandle))
F(ObjectTypeFilterInfo, Tags, offsetof(EVENT_TRACE_TAG_FILTER_INFORMATION, Filter))

/* ntdll: handle table entries, object type information, UNICODE_STRING */
S(SystemHandleTableEntryInfoEx, sizeof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX))
F(SystemHandleTableEntryInfoEx, Object, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, Object))
F(SystemHandleTableEntryInfoEx, UniqueProcessId, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, UniqueProcessId))
F(SystemHandleTableEntryInfoEx, HandleValue, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, HandleValue))
F(SystemHandleTableEntryInfoEx, GrantedAccess, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, GrantedAccess))
F(SystemHandleTableEntryInfoEx, CreatorBackTraceIndex, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, CreatorBackTraceIndex))
F(SystemHandleTableEntryInfoEx, ObjectTypeIndex, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, ObjectTypeIndex))
F(SystemHandleTableEntryInfoEx, HandleAttributes, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, HandleAttributes))
F(SystemHandleTableEntryInfoEx, Reserved, offsetof(SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX, Reserved))
K(SystemHandleTableEntryInfoEx, ListHeaderSize, offsetof(SYSTEM_HANDLE_INFORMATION_EX, Handles))

S(UnicodeStringNative, sizeof(UNICODE_STRING))
F(UnicodeStringNative, Length, offsetof(UNICODE_STRING, Length))
F(UnicodeStringNative, MaximumLength, offsetof(UNICODE_STRING, MaximumLength))
F(UnicodeStringNative, Buffer, offsetof(UNICODE_STRING, Buffer))

S(ObjectTypeInformation, sizeof(OBJECT_TYPE_INFORMATION))
F(ObjectTypeInformation, TypeName, offsetof(OBJECT_TYPE_INFORMATION, TypeName))
F(ObjectTypeInformation, TotalNumberOfObjects, offsetof(OBJECT_TYPE_INFORMATION, TotalNumberOfObjects))
F(ObjectTypeInformation, TotalNumberOfHandles, offsetof(OBJECT_TYPE_INFORMATION, TotalNumberOfHandles))
F(ObjectTypeInformation, GenericRead, offsetof(OBJECT_TYPE_INFORMATION, GenericMapping.GenericRead))
F(ObjectTypeInformation, ValidAccessMask, offsetof(OBJECT_TYPE_INFORMATION, ValidAccessMask))
F(ObjectTypeInformation, SecurityRequired, offsetof(OBJECT_TYPE_INFORMATION, SecurityRequired))
F(ObjectTypeInformation, MaintainHandleCount, offsetof(OBJECT_TYPE_INFORMATION, MaintainHandleCount))
/* TypeIndex and ReservedByte (Windows 8.1+, phnt) sit in the two bytes the SDK's older declaration leaves as padding
   between MaintainHandleCount and PoolType. */
F(ObjectTypeInformation, TypeIndex, offsetof(OBJECT_TYPE_INFORMATION, MaintainHandleCount) + 1)
F(ObjectTypeInformation, ReservedByte, offsetof(OBJECT_TYPE_INFORMATION, MaintainHandleCount) + 2)
F(ObjectTypeInformation, PoolType, offsetof(OBJECT_TYPE_INFORMATION, PoolType))
F(ObjectTypeInformation, DefaultPagedPoolCharge, offsetof(OBJECT_TYPE_INFORMATION, DefaultPagedPoolCharge))
F(ObjectTypeInformation, DefaultNonPagedPoolCharge, offsetof(OBJECT_TYPE_INFORMATION, DefaultNonPagedPoolCharge))

/* TOKEN_PRIVILEGES with one entry */
S(TokenPrivilegesOne, sizeof(TOKEN_PRIVILEGES))
F(TokenPrivilegesOne, PrivilegeCount, offsetof(TOKEN_PRIVILEGES, PrivilegeCount))
F(TokenPrivilegesOne, LuidLow, offsetof(TOKEN_PRIVILEGES, Privileges[0].Luid.LowPart))
F(TokenPrivilegesOne, LuidHigh, offsetof(TOKEN_PRIVILEGES, Privileges[0].Luid.HighPart))
F(TokenPrivilegesOne, Attributes, offsetof(TOKEN_PRIVILEGES, Privileges[0].Attributes))

/* Constants */
K(EtwSession, ControlQuery, EVENT_TRACE_CONTROL_QUERY)
K(EtwSession, ControlStop, EVENT_TRACE_CONTROL_STOP)
K(EtwSession, ControlFlush, EVENT_TRACE_CONTROL_FLUSH)
K(EtwSession, TraceStackTracingInfo, TraceStackTracingInfo)
K(EtwSession, TraceSystemTraceEnableFlagsInfo, TraceSystemTraceEnableFlagsInfo)
K(EtwSession, TraceMaxLoggersQuery, TraceMaxLoggersQuery)
K(EtwSession, ErrorAlreadyExists, ERROR_ALREADY_EXISTS)
K(EtwSession, ErrorAccessDenied, ERROR_ACCESS_DENIED)
K(EtwSession, ErrorNoSystemResources, ERROR_NO_SYSTEM_RESOURCES)
K(EtwSession, ErrorMoreData, ERROR_MORE_DATA)
K(EtwSession, ErrorActiveConnections, ERROR_ACTIVE_CONNECTIONS)
K(EtwSession, ErrorWmiInstanceNotFound, ERROR_WMI_INSTANCE_NOT_FOUND)
K(EtwSession, EventControlCodeEnableProvider, EVENT_CONTROL_CODE_ENABLE_PROVIDER)
K(LastSessionCounters, ErrorMoreData, ERROR_MORE_DATA)
K(EtwConsumer, ModeRealTime, PROCESS_TRACE_MODE_REAL_TIME)
K(EtwConsumer, ModeRawTimestamp, PROCESS_TRACE_MODE_RAW_TIMESTAMP)
K(EtwConsumer, ModeEventRecord, PROCESS_TRACE_MODE_EVENT_RECORD)
K(EtwConsumer, ErrorCancelled, ERROR_CANCELLED)
K(EtwConsumer, ErrorCtxClosePending, ERROR_CTX_CLOSE_PENDING)
K(SessionPlan, RealTimeMode, EVENT_TRACE_REAL_TIME_MODE)
K(SessionPlan, FileModeSequential, EVENT_TRACE_FILE_MODE_SEQUENTIAL)
K(SessionPlan, SystemLoggerMode, EVENT_TRACE_SYSTEM_LOGGER_MODE)
K(SessionPlan, WnodeFlagTracedGuid, WNODE_FLAG_TRACED_GUID)
K(SessionPlan, ProcessThreadImageFlags, EVENT_TRACE_FLAG_PROCESS | EVENT_TRACE_FLAG_THREAD | EVENT_TRACE_FLAG_IMAGE_LOAD)
/* winternl.h names class 3 ObjectAllInformation (its answer is OBJECT_ALL_INFORMATION: all types); class 64
   (SystemExtendedHandleInformation) is in no SDK header. */
K(Nt, ObjectTypesInformation, ObjectAllInformation)
K(Nt, StatusInfoLengthMismatch, STATUS_INFO_LENGTH_MISMATCH)
K(Nt, StatusBufferOverflow, STATUS_BUFFER_OVERFLOW)
K(Nt, StatusBufferTooSmall, STATUS_BUFFER_TOO_SMALL)
K(Security, TokenQuery, TOKEN_QUERY)
K(Security, TokenAdjustPrivileges, TOKEN_ADJUST_PRIVILEGES)
K(Security, TokenElevation, TokenElevation)
K(Security, SePrivilegeEnabled, SE_PRIVILEGE_ENABLED)
K(Security, ErrorNotAllAssigned, ERROR_NOT_ALL_ASSIGNED)
