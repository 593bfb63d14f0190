namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// Which job an output directory belongs to: a file naming the job, written when the job plans. Two jobs given the same
/// --output would otherwise write the same shard directories, chunks and outputs over each other, and the first one's
/// journal would go on saying "completed" over the second one's data.
/// </summary>
public static class OutputOwnership
{
    public const string FileName = "ingest-job";

    /// <summary>Claims <paramref name="output"/> for <paramref name="job"/>: an empty or missing directory, or one it already owns.</summary>
    /// <exception cref="IOException">Another job's directory, or one holding files of no job (not overwritten); named.</exception>
    public static void Claim(string output, string job)
    {
        string owner = Path.Combine(output, FileName);
        if (File.Exists(owner))
        {
            string other = File.ReadAllText(owner).Trim();
            if (other == job) return;
            throw new IOException($"it is the output of job {other}; give this job an --output of its own");
        }
        // Only what this job's own request may have put there before it planned (a long source list).
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(entry => Path.GetFileName(entry) != Path.GetFileName(IngestPlan.SubmittedSourcesPath(output))))
            throw new IOException("it is not empty and belongs to no job, and its files are not overwritten; give an empty or new --output");
        Directory.CreateDirectory(output);
        // Written aside, then moved in without replacing: of two jobs claiming one directory at once, one move fails,
        // and that job reads who won. The file never exists half-written.
        string written = $"{owner}.{Guid.NewGuid():N}.partial";
        using (var stream = new FileStream(written, FileMode.CreateNew, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(job + "\n"));
            stream.Flush(flushToDisk: true);
        }
        try
        {
            File.Move(written, owner, overwrite: false);
        }
        catch (IOException) when (File.Exists(owner))
        {
            File.Delete(written);
            string other = File.ReadAllText(owner).Trim();
            if (other != job) throw new IOException($"it is the output of job {other}; give this job an --output of its own");
        }
    }
}
