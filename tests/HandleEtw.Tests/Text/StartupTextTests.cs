using System.Globalization;
using System.Text;
using HandleEtw.Core.Text;

namespace HandleEtw.Tests.Text;

/// <summary>The plain-loop helpers of the start-up path give what the framework calls they replace give.</summary>
public class StartupTextTests
{
    [Fact]
    public void Ordinal_order_is_the_frameworks()
    {
        string?[] words = [null, "", "a", "A", "ab", "b", "Object/CloseHandle", "Object/CreateHandle", "Object", "é", "z\u0301", "\uFFFF", "a\0"];
        foreach (string? a in words)
            foreach (string? b in words)
                Assert.Equal(Math.Sign(string.CompareOrdinal(a, b)), Math.Sign(StartupText.CompareOrdinal(a, b)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1000)]
    public void SortStable_orders_as_OrderBy_does(int count)
    {
        var random = new Random(count);
        var items = Enumerable.Range(0, count).Select(i => (Key: random.Next(10), Index: i)).ToList();
        List<(int Key, int Index)> expected = items.OrderBy(x => x.Key).ToList();
        StartupText.SortStable(items, (a, b) => a.Key.CompareTo(b.Key));
        Assert.Equal(expected, items);
    }

    [Theory]
    [InlineData(0L, 10)]
    [InlineData(4985348L, 10)]
    [InlineData(-12L, 8)]
    [InlineData(12345678901L, 8)]
    public void AppendRight_aligns_as_a_format_item_does(long value, int width)
    {
        var text = new StringBuilder();
        StartupText.AppendRight(text, value, width);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, "{0," + width + "}", value), text.ToString());
    }

    [Theory]
    [InlineData(-3)]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(200)]
    public void AppendSpaces_appends_that_many(int count)
    {
        var text = new StringBuilder("x");
        StartupText.AppendSpaces(text, count);
        Assert.Equal("x" + new string(' ', Math.Max(0, count)), text.ToString());
    }
}
