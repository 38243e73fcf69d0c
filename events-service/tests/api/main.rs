mod announcements;
mod helpers;
mod live;
mod protocol;
mod publishing;
