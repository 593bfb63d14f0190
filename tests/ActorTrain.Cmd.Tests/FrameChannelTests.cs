using System.Buffers.Binary;
using ActorTrain.Cmd.Wire;
using Xunit;

namespace ActorTrain.Cmd.Tests;

public sealed class FrameChannelTests
{
    [Fact]
    public async Task Messages_round_trip_through_frames()
    {
        var stream = new MemoryStream();
        var writer = new FrameChannel(stream);
        await writer.WriteAsync(new Execute(7, ["cluster", "show", "--json"]));
        await writer.WriteAsync(new End(7, false, "no such member"));
        stream.Position = 0;
        var reader = new FrameChannel(stream);
        var execute = Assert.IsType<Execute>(await reader.ReadAsync(CancellationToken.None));
        Assert.Equal(7L, execute.Id);
        Assert.Equal(["cluster", "show", "--json"], execute.Words);
        Assert.Equal(new End(7, false, "no such member"), await reader.ReadAsync(CancellationToken.None));
        Assert.Null(await reader.ReadAsync(CancellationToken.None)); // closed between frames
    }

    [Theory]
    [InlineData(new byte[] { 0x7f, 0xff, 0xff, 0xff }, "a frame of 2147483647 bytes (frames are 2 bytes to 1048576 bytes)")]
    [InlineData(new byte[] { 0, 0 }, "the connection closed inside a frame header")]
    [InlineData(new byte[] { 0, 0, 0, 9, (byte)'{', (byte)'}' }, "the connection closed inside a frame of 9 bytes")]
    [InlineData(new byte[] { 0, 0, 0, 2, (byte)'{', (byte)'}' }, "a frame that is not a command message")]
    [InlineData(new byte[] { 0, 0, 0, 3, 0xff, 0xfe, 0x00 }, "a frame that is not a command message")]
    public async Task A_bad_frame_is_named(byte[] bytes, string problem)
    {
        var reader = new FrameChannel(new MemoryStream(bytes));
        Assert.StartsWith(problem, (await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(CancellationToken.None))).Message);
    }

    [Fact]
    public async Task An_unknown_message_type_is_not_a_command_message()
    {
        byte[] payload = """{"type":"shutdown","now":true}"""u8.ToArray();
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        var reader = new FrameChannel(new MemoryStream(frame));
        Assert.StartsWith("a frame that is not a command message", (await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAsync(CancellationToken.None))).Message);
    }
}
