namespace HandleEtw.Core.Text;

/// <summary>
/// The few text and ordering helpers a short command's output needs, written as plain loops. The framework's own
/// (ordinal comparison, padding, <c>List.Sort</c> over a tuple of a reference type) are vectorised or shared generic
/// code that is not precompiled for this processor, so a command like `stats` of a small trace would compile them
/// at start-up, with full optimisation since they contain loops.
/// </summary>
public static class StartupText
{
    private const string Spaces = "                                                                ";

    /// <summary>Ordinal order of UTF-16 code units, then length: the order of <see cref="StringComparer.Ordinal"/>.</summary>
    public static readonly IComparer<string> Ordinal = new OrdinalComparer();

    /// <summary>Negative, zero or positive as <paramref name="a"/> sorts before, with or after <paramref name="b"/>
    /// in ordinal order (null first), with the sign <see cref="string.CompareOrdinal(string, string)"/> gives.</summary>
    public static int CompareOrdinal(string? a, string? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
            if (a[i] != b[i]) return a[i] - b[i];
        return a.Length - b.Length;
    }

    /// <summary>Appends <paramref name="count"/> spaces (none when it is 0 or less).</summary>
    public static void AppendSpaces(System.Text.StringBuilder text, int count)
    {
        for (; count > 0; count -= Spaces.Length) text.Append(Spaces, 0, Math.Min(count, Spaces.Length));
    }

    /// <summary>Appends <paramref name="value"/> right-aligned in <paramref name="width"/> characters (as the format
    /// item <c>{value,width}</c> does).</summary>
    public static System.Text.StringBuilder AppendRight(System.Text.StringBuilder text, long value, int width)
    {
        string digits = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        AppendSpaces(text, width - digits.Length);
        return text.Append(digits);
    }

    /// <summary>Sorts keeping equal items in their order (as LINQ's OrderBy does): a merge sort of a copy, runs of
    /// up to 16 items insertion-sorted.</summary>
    public static void SortStable<T>(List<T> items, Comparison<T> compare)
    {
        if (items.Count < 2) return;
        T[] a = items.ToArray();
        T[] scratch = new T[a.Length];
        MergeSort(a, scratch, 0, a.Length, compare);
        for (int i = 0; i < a.Length; i++) items[i] = a[i];
    }

    private static void MergeSort<T>(T[] a, T[] scratch, int start, int end, Comparison<T> compare)
    {
        if (end - start <= 16)
        {
            InsertionSort(a, start, end, compare);
            return;
        }
        int middle = start + (end - start) / 2;
        MergeSort(a, scratch, start, middle, compare);
        MergeSort(a, scratch, middle, end, compare);
        if (compare(a[middle - 1], a[middle]) <= 0) return; // already in order
        Array.Copy(a, start, scratch, start, end - start);
        int left = start, right = middle;
        for (int k = start; k < end; k++)
            a[k] = right >= end || (left < middle && compare(scratch[left], scratch[right]) <= 0) ? scratch[left++] : scratch[right++];
    }

    private static void InsertionSort<T>(T[] a, int start, int end, Comparison<T> compare)
    {
        for (int i = start + 1; i < end; i++)
        {
            T item = a[i];
            int j = i - 1;
            for (; j >= start && compare(a[j], item) > 0; j--) a[j + 1] = a[j];
            a[j + 1] = item;
        }
    }

    private sealed class OrdinalComparer : IComparer<string>
    {
        public int Compare(string? x, string? y) => CompareOrdinal(x, y);
    }
}
