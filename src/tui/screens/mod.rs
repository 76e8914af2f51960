//! One file per screen: its state, its `update`, its `draw`, and `apply` (fields -> Answer).

pub mod disk;
pub mod finished;
pub mod network;
pub mod partitions;
pub mod popup;
pub mod progress;
pub mod security;
pub mod software;
pub mod summary;
pub mod users;
pub mod welcome;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::{App, Screen};

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    match app.screen {
        Screen::Welcome => welcome::draw(frame, area, app),
        Screen::Disk => disk::draw(frame, area, app),
        Screen::Network => network::draw(frame, area, app),
        Screen::Users => users::draw(frame, area, app),
        Screen::Security => security::draw(frame, area, app),
        Screen::Software => software::draw(frame, area, app),
        Screen::Summary => summary::draw(frame, area, app),
        Screen::Progress => progress::draw(frame, area, app),
        Screen::Finished => finished::draw(frame, area, app),
    }
}
