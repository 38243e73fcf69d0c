// Drives Tonearm's /rest API with the independent `subsonic-api` client:
// token authentication (username + app password), then an API key with
// form POSTs: browsing, search, a stream, favourites, a playlist, the play
// queue, and scrobbles (now playing, then the submission). Prints what it
// saw as one JSON line for the Rust test.
// Usage: node check.mjs <base-url> <username> <app-password> <api-key>
import { SubsonicAPI } from "subsonic-api";

const [url, username, password, apiKey] = process.argv.slice(2);
const token = new SubsonicAPI({ url, auth: { username, password } });
const keyed = new SubsonicAPI({ url, auth: { apiKey }, post: true });

const expectOk = (answer, what) => {
  if (answer.status !== "ok") throw new Error(`${what}: ${JSON.stringify(answer)}`);
  return answer;
};

const ping = expectOk(await token.ping(), "ping");
const { artists } = expectOk(await token.getArtists(), "getArtists");
const first = artists.index[0].artist[0];
const { artist } = expectOk(await token.getArtist({ id: first.id }), "getArtist");
const { album } = expectOk(await token.getAlbum({ id: artist.album[0].id }), "getAlbum");
const { song } = expectOk(await token.getSong({ id: album.song[0].id }), "getSong");
const titles = [];
for (const songOffset of [0, 2]) {
  const { searchResult3 } = expectOk(
    await token.search3({ query: "", songCount: 2, songOffset, artistCount: 0, albumCount: 0 }),
    "search3",
  );
  titles.push(...(searchResult3.song ?? []).map((found) => found.title));
}
const audio = await token.stream({ id: song.id });
const bytes = (await audio.arrayBuffer()).byteLength;
const { albumList2 } = expectOk(await keyed.getAlbumList2({ type: "alphabeticalByName" }), "getAlbumList2");

// Favourites: star a song and an album, list them, unstar the album.
const [one, two] = album.song.map((found) => found.id);
expectOk(await keyed.star({ id: [one], albumId: [album.id] }), "star");
const { starred2 } = expectOk(await token.getStarred2(), "getStarred2");
expectOk(await keyed.unstar({ albumId: album.id }), "unstar");
const { starred2: after } = expectOk(await token.getStarred2(), "getStarred2 after unstar");

// A playlist: create, rename, add and remove songs, read back.
const { playlist: created } = expectOk(
  await keyed.createPlaylist({ name: "From the app", songId: [one, two] }),
  "createPlaylist",
);
expectOk(
  await keyed.updatePlaylist({
    playlistId: created.id,
    name: "Edited in the app",
    comment: "two songs",
    songIdToAdd: [one],
    songIndexToRemove: [0],
  }),
  "updatePlaylist",
);
const { playlist: edited } = expectOk(await token.getPlaylist({ id: created.id }), "getPlaylist");
const { playlists } = expectOk(await token.getPlaylists(), "getPlaylists");

// The play queue: save on one "device", restore on the other.
expectOk(await keyed.savePlayQueue({ id: [two, one], current: one, position: 12345 }), "savePlayQueue");
const { playQueue } = expectOk(await token.getPlayQueue(), "getPlayQueue");
// Now playing shows the song (the fold runs behind the call: wait for it),
// then the submission ends it; together they are one play. (Polled with the
// API key: password and token attempts count against the sign-in limits.)
expectOk(await keyed.scrobble({ id: song.id, submission: false }), "scrobble (now playing)");
let playing = [];
for (let tries = 0; tries < 150 && playing.length === 0; tries += 1) {
  const { nowPlaying } = expectOk(await keyed.getNowPlaying(), "getNowPlaying");
  playing = (nowPlaying.entry ?? []).filter((entry) => entry.id === song.id);
  if (playing.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
}
expectOk(await keyed.scrobble({ id: song.id, submission: true }), "scrobble (submission)");

console.log(
  JSON.stringify({
    type: ping.type,
    openSubsonic: ping.openSubsonic,
    artist: first.name,
    album: album.name,
    song: song.title,
    titles,
    streamStatus: audio.status,
    bytes,
    albums: albumList2.album.map((found) => found.name),
    starredSongs: (starred2.song ?? []).map((found) => found.title),
    starredAlbums: (starred2.album ?? []).map((found) => found.name),
    starredAlbumsAfter: (after.album ?? []).map((found) => found.name),
    createdCount: created.songCount,
    playlist: {
      name: edited.name,
      comment: edited.comment,
      owner: edited.owner,
      entries: (edited.entry ?? []).map((found) => found.title),
    },
    playlists: (playlists.playlist ?? []).map((found) => found.name),
    queue: {
      entries: (playQueue?.entry ?? []).map((found) => found.title),
      current: playQueue?.current === one,
      position: playQueue?.position,
      changedBy: playQueue?.changedBy,
    },
    nowPlaying: playing.map((entry) => ({ username: entry.username, title: entry.title, minutesAgo: entry.minutesAgo })),
  }),
);
