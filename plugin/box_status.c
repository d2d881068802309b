/*
 * box_status.c - the box's status snapshot (see box_status.h).
 */
#include "box_status.h"

struct BoxStatusBoard {
    Mutex *lock;
    BoxStatus status;
};

BoxStatusBoard *box_status_board_create(void)
{
    BoxStatusBoard *board = gw_malloc(sizeof(*board));

    board->lock = mutex_create();
    memset(&board->status, 0, sizeof(board->status));
    board->status.oldest_pending_s = -1;
    return board;
}

void box_status_board_destroy(BoxStatusBoard *board)
{
    mutex_destroy(board->lock);
    gw_free(board);
}

void box_status_read(BoxStatusBoard *board, BoxStatus *out)
{
    mutex_lock(board->lock);
    *out = board->status;
    mutex_unlock(board->lock);
}

void box_status_write(BoxStatusBoard *board, const BoxStatus *in)
{
    mutex_lock(board->lock);
    board->status = *in;
    mutex_unlock(board->lock);
}
