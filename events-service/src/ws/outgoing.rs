//! Sending to a player: bounded in time, long messages in fragments.

use std::time::Duration;

use futures_util::SinkExt as _;
use tokio::net::TcpStream;
use tokio_tungstenite::{
    WebSocketStream,
    tungstenite::{
        Bytes, Message,
        protocol::frame::{
            Frame,
            coding::{Data, OpCode},
        },
    },
};

pub type Socket = WebSocketStream<TcpStream>;

/// Longer messages (a `hello` with many long announcements) go out as
/// fragments of at most this many bytes: tungstenite keeps its outgoing
/// buffer at the size of the largest frame for the socket's whole life.
const FRAGMENT: usize = 1024;

/// Sends one message; false when the client is gone or has not read for
/// the presence timeout.
pub async fn send(socket: &mut Socket, message: Message, within: Duration) -> bool {
    matches!(
        tokio::time::timeout(within, socket.send(message)).await,
        Ok(Ok(()))
    )
}

/// Sends a text message, in fragments when it is long (see [`FRAGMENT`]).
pub async fn send_text(socket: &mut Socket, text: String, within: Duration) -> bool {
    if text.len() <= FRAGMENT {
        send(socket, Message::text(text), within).await
    } else {
        // Boxed: the rare long message does not enlarge every socket's task.
        Box::pin(send_fragments(socket, text, within)).await
    }
}

async fn send_fragments(socket: &mut Socket, text: String, within: Duration) -> bool {
    for frame in fragments(text) {
        if !send(socket, Message::Frame(frame), within).await {
            return false;
        }
    }
    true
}

/// A text message as a first frame and continuation frames, cut at
/// character boundaries.
fn fragments(text: String) -> Vec<Frame> {
    let mut cuts = vec![0];
    while let Some(&start) = cuts.last()
        && start < text.len()
    {
        let mut end = (start + FRAGMENT).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        cuts.push(end);
    }
    let bytes = Bytes::from(text);
    cuts.windows(2)
        .map(|cut| {
            let (start, end) = (cut[0], cut[1]);
            let opcode = if start == 0 { Data::Text } else { Data::Continue };
            Frame::message(bytes.slice(start..end), OpCode::Data(opcode), end == bytes.len())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_become_fragments_cut_between_characters() {
        let text = format!("{}é{}", "a".repeat(FRAGMENT - 1), "b".repeat(FRAGMENT + 10));
        let frames = fragments(text.clone());
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].header().opcode, OpCode::Data(Data::Text));
        assert_eq!(frames[1].header().opcode, OpCode::Data(Data::Continue));
        assert!(frames[2].header().is_final && !frames[0].header().is_final && !frames[1].header().is_final);
        let joined: Vec<u8> = frames.iter().flat_map(|frame| frame.payload().to_vec()).collect();
        assert_eq!(joined, text.as_bytes());
        assert!(frames.iter().all(|frame| frame.payload().len() <= FRAGMENT));
        assert_eq!(frames[0].payload().len(), FRAGMENT - 1, "é is not split");
    }
}
