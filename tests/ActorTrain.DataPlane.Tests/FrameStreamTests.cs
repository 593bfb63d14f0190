using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ActorTrain.DataPlane;
using Xunit;

namespace ActorTrain.DataPlane.Tests;

// Frames are read straight into the caller's array: a frame that does not fit must be refused before a byte of it lands there.
public sealed class FrameStreamTests
{
    [Fact]
    public async Task A_frame_of_another_length_is_refused_by_name_and_leaves_the_destination_untouched()
    {
        var (writer, reader) = await Connected();
        await using var _ = reader;
        var wrong = new byte[4 + 12];
        BinaryPrimitives.WriteInt32LittleEndian(wrong, 12); // three floats where four are expected
        await writer.GetStream().WriteAsync(wrong);
        var destination = new[] { 1f, 2f, 3f, 4f };

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReceiveAsync(destination, CancellationToken.None));

        Assert.Contains($"data plane peer {reader.Peer} sent a frame of 12 bytes where 16 were expected", error.Message);
        Assert.Equal([1f, 2f, 3f, 4f], destination);
        writer.Dispose();
    }

    [Fact]
    public async Task A_connection_closed_mid_frame_is_an_error_naming_the_peer()
    {
        var (writer, reader) = await Connected();
        await using var _ = reader;
        var torn = new byte[4 + 8];
        BinaryPrimitives.WriteInt32LittleEndian(torn, 16); // announces four floats, sends two
        await writer.GetStream().WriteAsync(torn);
        writer.Dispose();

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReceiveAsync(new float[4], CancellationToken.None));

        Assert.Equal($"data plane peer {reader.Peer} closed the connection mid-frame", error.Message);
    }

    [Fact]
    public async Task Frames_sent_from_a_slice_arrive_in_a_slice_bit_for_bit()
    {
        var (writer, reader) = await Connected();
        await using var _ = reader;
        await using var sender = new FrameStream(writer.GetStream(), "reader");
        float[] source = [float.NaN, -0f, 1.5f, float.Epsilon, 7f, 8f], destination = new float[6];

        var receiving = reader.ReceiveAsync(destination.AsMemory(2, 3), CancellationToken.None);
        await sender.SendAsync(source.AsMemory(1, 3), CancellationToken.None);
        await receiving;

        Assert.Equal(new[] { 0f, 0f }, destination[..2]);
        Assert.Equal(source.AsSpan(1, 3).ToArray().Select(BitConverter.SingleToInt32Bits), destination[2..5].Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(0f, destination[5]);
        writer.Dispose();
    }

    // A raw socket to write what a peer might send, and the frame stream that reads it.
    private static async Task<(TcpClient Writer, FrameStream Reader)> Connected()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var writer = new TcpClient();
        await writer.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var accepted = await listener.AcceptTcpClientAsync();
        listener.Stop();
        return (writer, new FrameStream(accepted.GetStream(), accepted.Client.RemoteEndPoint!.ToString()!));
    }
}
