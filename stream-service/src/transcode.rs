//! On-the-fly transcoding with ffmpeg: its output is streamed as it is
//! produced, a semaphore bounds how many run, and the process is killed
//! and reaped as soon as the response body is dropped (client gone).

mod command;
mod request;

use std::{
    fs::File,
    io,
    path::PathBuf,
    pin::Pin,
    process::Stdio,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use actix_web::web::Bytes;
use anyhow::Context as _;
use futures_util::{Stream, StreamExt as _};
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    process::{Child, ChildStdin, ChildStdout, Command},
    sync::{OwnedSemaphorePermit, Semaphore},
};
use tokio_util::io::ReaderStream;

pub use command::{InputKind, InputSpec};
pub use request::{Format, TranscodeRequest};

use crate::{error::StreamError, metrics::StreamMetrics, storage::ByteStream};

/// How long a client waits before retrying when every transcode slot is taken.
const RETRY_AFTER_SECS: u32 = 5;
/// ffmpeg must produce its first bytes within this time.
const FIRST_OUTPUT_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts bounded ffmpeg processes.
#[derive(Clone)]
pub struct Transcoder {
    ffmpeg: PathBuf,
    permits: Arc<Semaphore>,
    metrics: StreamMetrics,
}

impl Transcoder {
    pub fn new(ffmpeg: PathBuf, max_concurrent: usize, metrics: StreamMetrics) -> Self {
        Self {
            ffmpeg,
            permits: Arc::new(Semaphore::new(max_concurrent)),
            metrics,
        }
    }

    /// Transcodes `input` (a file already opened and confined to the
    /// music folders, or a stream) and returns its output once the first
    /// bytes are ready, so a file ffmpeg cannot read is an error rather
    /// than an empty 200.
    pub async fn start(
        &self,
        input: Input,
        request: &TranscodeRequest,
    ) -> Result<TranscodeStream, StreamError> {
        let permit = Arc::clone(&self.permits)
            .try_acquire_owned()
            .map_err(|_| StreamError::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            })?;
        let (kind, stdin, feed, demuxer) = match input {
            Input::File { file, demuxer } => (InputKind::OpenedFile, Stdio::from(file), None, demuxer),
            Input::Stream { stream, demuxer } => (InputKind::Pipe, Stdio::piped(), Some(stream), demuxer),
        };
        let mut child = Command::new(&self.ffmpeg)
            .args(request.ffmpeg_args(InputSpec { kind, demuxer }))
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", self.ffmpeg.display()))?;
        let stdout = child.stdout.take().context("ffmpeg stdout")?;
        if let Some(mut stderr) = child.stderr.take() {
            // Drained so ffmpeg never blocks on it; shown when it complains.
            tokio::spawn(async move {
                let mut text = String::new();
                let _ = (&mut stderr).take(8 * 1024).read_to_string(&mut text).await;
                let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
                if !text.trim().is_empty() {
                    tracing::warn!(ffmpeg = %text.trim(), "ffmpeg reported errors");
                }
            });
        }
        let feeder = match (feed, child.stdin.take()) {
            (Some(feed), Some(stdin)) => Some(Feeder(tokio::spawn(feed_stdin(feed, stdin)))),
            _ => None,
        };
        let mut stream = TranscodeStream {
            pending: None,
            _feeder: feeder,
            output: ReaderStream::with_capacity(stdout, 32 * 1024),
            child: ChildGuard(Some(child)),
            _permit: permit,
            _active: ActiveGauge::new(&self.metrics.active_transcodes),
        };
        stream.pending = match tokio::time::timeout(FIRST_OUTPUT_TIMEOUT, stream.output.next()).await {
            Ok(Some(Ok(first))) => Some(first),
            Ok(Some(Err(error))) => return Err(anyhow::Error::new(error).context("reading ffmpeg").into()),
            Ok(None) | Err(_) => return Err(StreamError::TranscodeFailed),
        };
        Ok(stream)
    }
}

/// What ffmpeg reads, always as its standard input; `demuxer` names the
/// container when it is known (see [`crate::storage::mime::demuxer`]).
pub enum Input {
    /// A local file the service opened and confined: the descriptor itself
    /// becomes ffmpeg's standard input, so the path is never looked up again.
    File {
        file: File,
        demuxer: Option<&'static str>,
    },
    /// A byte stream (a remote origin's body) written into a pipe.
    Stream {
        stream: ByteStream,
        demuxer: Option<&'static str>,
    },
}

/// Copies `feed` into ffmpeg's stdin; closing stdin at the end tells ffmpeg
/// the input is complete. An origin failure just ends the input early.
async fn feed_stdin(mut feed: ByteStream, mut stdin: ChildStdin) {
    while let Some(chunk) = feed.next().await {
        let Ok(chunk) = chunk else {
            return;
        };
        if stdin.write_all(&chunk).await.is_err() {
            return;
        }
    }
}

/// The task feeding ffmpeg; stopped (closing the origin connection) when
/// the response is dropped.
struct Feeder(tokio::task::JoinHandle<()>);

impl Drop for Feeder {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// ffmpeg's output; dropping it kills the process and frees the slot.
pub struct TranscodeStream {
    pending: Option<Bytes>,
    _feeder: Option<Feeder>,
    output: ReaderStream<ChildStdout>,
    child: ChildGuard,
    _permit: OwnedSemaphorePermit,
    _active: ActiveGauge,
}

impl Stream for TranscodeStream {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(first) = this.pending.take() {
            return Poll::Ready(Some(Ok(first)));
        }
        let polled = Pin::new(&mut this.output).poll_next(cx);
        if let Poll::Ready(None) = polled {
            this.child.reap();
        }
        polled
    }
}

/// Kills (if still running) and reaps the child, off the caller's path.
struct ChildGuard(Option<Child>);

impl ChildGuard {
    fn reap(&mut self) {
        let Some(mut child) = self.0.take() else {
            return;
        };
        // Killing an exited child is harmless; waiting reaps it so no
        // zombie is left behind.
        let _ = child.start_kill();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let _ = child.wait().await;
                });
            }
            // No runtime: kill_on_drop and tokio's orphan reaper take over.
            Err(_) => drop(child),
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.reap();
    }
}

/// Holds the active-transcodes gauge up for as long as it lives.
struct ActiveGauge(prometheus::IntGauge);

impl ActiveGauge {
    fn new(gauge: &prometheus::IntGauge) -> Self {
        gauge.inc();
        Self(gauge.clone())
    }
}

impl Drop for ActiveGauge {
    fn drop(&mut self) {
        self.0.dec();
    }
}
